/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* JSON output of every command (json-c): one object per output, printed
 * once on one line (JSON_C_TO_STRING_PLAIN); a command that streams prints
 * one such object per line. Every top-level object carries
 * "schema": SG_JSON_SCHEMA. Within a schema version fields are only added;
 * a renamed or removed field, or a changed meaning, makes the next version. */
#ifndef SG_SGJSON_H
#define SG_SGJSON_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#define SG_JSON_SCHEMA "sipguard/1"

/* A new top-level object: {"schema": SG_JSON_SCHEMA}. */
struct json_object *sg_json_doc(void);
/* Prints DOC on one line to stdout, flushes, and frees it. */
void sg_json_emit(struct json_object *doc);

/* A top-level object with one long array (status and stats at 10,000
 * customers), printed element by element: the same line sg_json_emit
 * would print, without holding every element. begin prints DOC's members
 * so far and opens the array KEY (DOC is freed); add prints and frees one
 * element; end closes the array, prints TAIL's members after it and frees
 * TAIL. */
struct sg_json_stream {
	size_t n;
};
void sg_json_stream_begin(struct sg_json_stream *js, struct json_object *doc, const char *key);
void sg_json_stream_add(struct sg_json_stream *js, struct json_object *item);
void sg_json_stream_end(struct sg_json_stream *js, struct json_object *tail);

/* Adds KEY to O: a string (NULL gives null), numbers, a boolean. */
void sg_json_str(struct json_object *o, const char *key, const char *v);
void sg_json_u64(struct json_object *o, const char *key, uint64_t v);
void sg_json_int(struct json_object *o, const char *key, int64_t v);
void sg_json_bool(struct json_object *o, const char *key, bool v);
/* Adds KEY to O holding a new object / array, and returns it. */
struct json_object *sg_json_obj(struct json_object *o, const char *key);
struct json_object *sg_json_arr(struct json_object *o, const char *key);

/* With --json, stdout carries the JSON only: what a change prints for
 * people goes to stderr meanwhile. sg_json_text_to_stderr returns what
 * sg_json_text_to_stdout takes to put stdout back. */
int sg_json_text_to_stderr(void);
void sg_json_text_to_stdout(int saved);

#endif
