// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* JSON output helpers (sgjson.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sgjson.h"

/* one line; paths stay readable: "/" is not escaped */
#define SG_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct json_object *sg_json_doc(void)
{
	struct json_object *o = json_object_new_object();

	sg_json_str(o, "schema", SG_JSON_SCHEMA);
	return o;
}

void sg_json_emit(struct json_object *doc)
{
	fputs(json_object_to_json_string_ext(doc, SG_JSON_FLAGS), stdout);
	fputc('\n', stdout);
	fflush(stdout);
	json_object_put(doc);
}

void sg_json_stream_begin(struct sg_json_stream *js, struct json_object *doc, const char *key)
{
	const char *s;
	size_t n;

	js->n = 0;
	sg_json_arr(doc, key);
	s = json_object_to_json_string_ext(doc, SG_JSON_FLAGS);
	n = strlen(s); /* ends in "[]}": the empty array, then the object's end */
	fwrite(s, 1, n >= 2 ? n - 2 : 0, stdout);
	json_object_put(doc);
}

void sg_json_stream_add(struct sg_json_stream *js, struct json_object *item)
{
	if (js->n++)
		fputc(',', stdout);
	fputs(json_object_to_json_string_ext(item, SG_JSON_FLAGS), stdout);
	json_object_put(item);
}

void sg_json_stream_end(struct sg_json_stream *js, struct json_object *tail)
{
	const char *s = json_object_to_json_string_ext(tail, SG_JSON_FLAGS);

	(void)js;
	fputc(']', stdout);
	if (strlen(s) > 2) /* "{...}": its members after a comma, and its end */
		fprintf(stdout, ",%s", s + 1);
	else
		fputc('}', stdout);
	fputc('\n', stdout);
	fflush(stdout);
	json_object_put(tail);
}

void sg_json_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

void sg_json_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

void sg_json_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void sg_json_bool(struct json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

struct json_object *sg_json_obj(struct json_object *o, const char *key)
{
	struct json_object *n = json_object_new_object();

	json_object_object_add(o, key, n);
	return n;
}

struct json_object *sg_json_arr(struct json_object *o, const char *key)
{
	struct json_object *n = json_object_new_array();

	json_object_object_add(o, key, n);
	return n;
}

int sg_json_text_to_stderr(void)
{
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved >= 0)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	return saved;
}

void sg_json_text_to_stdout(int saved)
{
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
}
