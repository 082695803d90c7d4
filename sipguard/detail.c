// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Verdict reasons and drop details in words (detail.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detail.h"
#include "sgjson.h"

static const char *const reason_names[SG_REASON_MAX] = {
#define SG_RN(name, val, s, d) [val] = s,
	SG_REASONS(SG_RN)
#undef SG_RN
};

static const char *const header_names[] = {
#define SG_HN(name, val, s) [val] = s,
	SG_HEADERS(SG_HN)
#undef SG_HN
};

static const char *const limit_names[] = {
#define SG_LN(name, val, s) [val] = s,
	SG_LIMITS(SG_LN)
#undef SG_LN
};

static const char *const kind_names[] = {
	[SG_DET_NONE] = "none",       [SG_DET_LINE] = "line",     [SG_DET_LIMIT] = "limit",
	[SG_DET_MISSING] = "missing", [SG_DET_SIGNATURE] = "signature",
	[SG_DET_LENGTH] = "length",   [SG_DET_STREAM] = "stream",
};

#define N_OF(a) (sizeof(a) / sizeof(*(a)))

const char *sg_reason_name(unsigned int r)
{
	return r < SG_REASON_MAX && reason_names[r] ? reason_names[r] : "unknown";
}

const char *sg_header_name(unsigned int h)
{
	return h < N_OF(header_names) && header_names[h] ? header_names[h] : "other";
}

const char *sg_field_name(unsigned int fields)
{
	static const struct { unsigned int bit; const char *name; } f[] = {
		{ SG_FIELD_USER_AGENT, "User-Agent" }, { SG_FIELD_FROM, "From" },
		{ SG_FIELD_TO, "To" },                 { SG_FIELD_CONTACT, "Contact" },
		{ SG_FIELD_CALL_ID, "Call-ID" },       { SG_FIELD_START_LINE, "the start line" },
		{ SG_FIELD_VIA, "Via" },               { SG_FIELD_SUBJECT, "Subject" },
	};

	for (size_t i = 0; i < N_OF(f); i++)
		if (fields & f[i].bit)
			return f[i].name;
	return "a header";
}

/* Drops about a header's value, which name the header (the others are
 * about a line before its header is known, or about no header). */
static bool names_header(unsigned int reason, const struct sg_detail *d)
{
	switch (reason) {
	case SG_DROP_DUPLICATE_HEADER: case SG_DROP_CSEQ: case SG_DROP_CSEQ_METHOD:
	case SG_DROP_MAX_FORWARDS: case SG_DROP_CONTENT_LENGTH: case SG_DROP_MISSING_HEADER:
		return d->header && d->line > 1;
	}
	return false;
}

static const char *limit_name(unsigned int l)
{
	return l < N_OF(limit_names) && limit_names[l] ? limit_names[l] : "a limit";
}

/* "Via, From" for a SG_DET_MISSING mask */
static void missing_list(__u32 mask, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = 0;
	for (unsigned int h = 1; h < N_OF(header_names) && used < n; h++) {
		if (!(mask & (1u << h)))
			continue;
		used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
					 sg_header_name(h));
	}
}

void sg_detail_text(const struct sg_detail *d, unsigned int reason, const char *pattern, char *buf,
		    size_t n)
{
	char at[48] = "", list[128];

	buf[0] = 0;
	if (reason == SG_DROP_NOT_SIP)
		return; /* nothing SIP to say about it */
	if (d->line)
		snprintf(at, sizeof(at), ", line %u", d->line);
	switch (d->kind) {
	case SG_DET_LINE:
		if (!d->line)
			snprintf(buf, n, "%s", reason == SG_DROP_CONTENT_TYPE ? "a body without Content-Type"
					       : "the message as a whole");
		else if (names_header(reason, d))
			snprintf(buf, n, "line %u (%s)", d->line, sg_header_name(d->header));
		else
			snprintf(buf, n, "line %u%s", d->line, d->line == 1 ? " (start line)" : "");
		break;
	case SG_DET_LIMIT:
		if (d->what == SG_LIM_WINDOW)
			snprintf(buf, n, "%s: a %u-byte datagram, %u bytes read%s", limit_name(d->what),
				 d->value, d->limit, at);
		else if (d->what == SG_LIM_CHAIN)
			snprintf(buf, n, "%s: more than %u", limit_name(d->what), d->limit);
		else
			snprintf(buf, n, "%s %u over %u%s", limit_name(d->what), d->value, d->limit, at);
		break;
	case SG_DET_MISSING:
		missing_list(d->value, list, sizeof(list));
		snprintf(buf, n, "missing %s", list);
		break;
	case SG_DET_SIGNATURE:
		if (pattern)
			snprintf(buf, n, "pattern \"%s\" in %s%s", pattern, sg_field_name(d->what), at);
		else
			snprintf(buf, n, "pattern #%u in %s%s", d->value, sg_field_name(d->what), at);
		break;
	case SG_DET_LENGTH:
		snprintf(buf, n, "Content-Length %u, %u body bytes in the datagram", d->value, d->limit);
		break;
	case SG_DET_STREAM:
		if (d->what)
			snprintf(buf, n, "the connection's stream was dropped before (%s)",
				 sg_reason_name(d->what));
		else
			snprintf(buf, n, "%u bytes of the stream missing before this segment", d->value);
		break;
	}
}

void sg_detail_json(struct json_object *o, const struct sg_detail *d, unsigned int reason,
		    const char *pattern)
{
	struct json_object *f;
	char text[256];

	if (d->kind == SG_DET_NONE || d->kind >= N_OF(kind_names) || reason == SG_DROP_NOT_SIP)
		return;
	sg_detail_text(d, reason, pattern, text, sizeof(text));
	sg_json_str(o, "detail", text);
	f = sg_json_obj(o, "detail_fields");
	sg_json_str(f, "kind", kind_names[d->kind]);
	if (d->line)
		sg_json_u64(f, "line", d->line);
	switch (d->kind) {
	case SG_DET_LINE:
		if (names_header(reason, d))
			sg_json_str(f, "header", sg_header_name(d->header));
		break;
	case SG_DET_LIMIT:
		sg_json_str(f, "limit", limit_name(d->what));
		sg_json_u64(f, "value", d->value);
		sg_json_u64(f, "allowed", d->limit);
		break;
	case SG_DET_MISSING: {
		struct json_object *a = sg_json_arr(f, "missing");

		for (unsigned int h = 1; h < N_OF(header_names); h++)
			if (d->value & (1u << h))
				json_object_array_add(a, json_object_new_string(sg_header_name(h)));
		break;
	}
	case SG_DET_SIGNATURE:
		sg_json_str(f, "field", sg_field_name(d->what));
		if (pattern)
			sg_json_str(f, "pattern", pattern);
		else if (d->value)
			sg_json_u64(f, "pattern_index", d->value - 1);
		break;
	case SG_DET_LENGTH:
		sg_json_u64(f, "content_length", d->value);
		sg_json_u64(f, "body_bytes", d->limit);
		break;
	case SG_DET_STREAM:
		if (d->what)
			sg_json_str(f, "dropped_for", sg_reason_name(d->what));
		else
			sg_json_u64(f, "missing_bytes", d->value);
		break;
	}
}

/* The sent-by of the first Via (or v) header line in P. */
static bool top_via(const __u8 *p, size_t n, char *out, size_t on)
{
	size_t i = 0;

	while (i < n) {
		size_t e = i, v;

		while (e < n && p[e] != '\n')
			e++;
		if (e - i >= 2 && (!strncasecmp((const char *)p + i, "via", 3) ||
				   ((p[i] | 0x20) == 'v' && (p[i + 1] == ':' || p[i + 1] == ' ')))) {
			v = i + ((p[i + 1] | 0x20) == 'i' ? 3 : 1);
			while (v < e && p[v] == ' ')
				v++;
			if (v < e && p[v] == ':') {
				size_t o = 0, k;

				/* SIP/2.0/UDP then the sent-by, up to ';' or ',' */
				for (k = v + 1; k < e && p[k] == ' '; k++)
					;
				while (k < e && p[k] != ' ')
					k++;
				while (k < e && p[k] == ' ')
					k++;
				while (k < e && p[k] != ';' && p[k] != ',' && p[k] != '\r' && p[k] != ' ' &&
				       o + 1 < on)
					out[o++] = (char)(p[k] >= 0x20 && p[k] < 0x7f ? p[k++] : (k++, '?'));
				out[o] = 0;
				return o > 0;
			}
		}
		i = e + 1;
	}
	return false;
}

const char *sg_detail_message(unsigned int reason, const __u8 *payload, size_t n, const char *src,
			      char *buf, size_t bn)
{
	char host[128];

	buf[0] = 0;
	if (reason == SG_DROP_VIA_NOT_OWN) {
		if (payload && top_via(payload, n, host, sizeof(host)))
			snprintf(buf, bn, "top Via %s is not one of the customer's hosts", host);
		else
			snprintf(buf, bn, "no top Via to check");
	} else if (reason == SG_DROP_PEER && src && *src) {
		snprintf(buf, bn, "source %s is not one of the customer's peers", src);
	}
	return buf;
}
