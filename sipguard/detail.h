/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Verdict reasons and drop details (sipguard.h) in words: what `check`
 * and `events` print about a drop. */
#ifndef SG_DETAIL_H
#define SG_DETAIL_H

#include <stddef.h>
#include <json-c/json.h>
#include "sipguard.h"

/* "scanner", "missing-header", ...; "unknown" out of range. */
const char *sg_reason_name(unsigned int reason);
/* "Via", "User-Agent", ... (enum sg_hdr); "other". */
const char *sg_header_name(unsigned int hdr);
/* The header a field bit stands for (enum sg_field, the lowest bit set). */
const char *sg_field_name(unsigned int fields);

/* D in words into BUF (empty for SG_DET_NONE), e.g. 'pattern
 * "friendly-scanner" in User-Agent, line 7' or 'line length 2100 over 2048,
 * line 5'; REASON (enum sg_reason) decides whether the line's header is
 * named. PATTERN: the text of signature D->value - 1, NULL if unknown. */
void sg_detail_text(const struct sg_detail *d, unsigned int reason, const char *pattern, char *buf,
		    size_t n);

/* For a drop about the whole message (via-not-own, response-not-peer), the
 * words that say more, from the message itself: the top Via's sent-by in
 * PAYLOAD (N bytes of it), or the source SRC. Writes BUF (empty when it has
 * nothing to add) and returns it. */
const char *sg_detail_message(unsigned int reason, const __u8 *payload, size_t n, const char *src,
			      char *buf, size_t bn);

/* Adds "detail" (the text) and "detail_fields" ({kind, line, header,
 * limit, value, allowed, pattern, field, missing}: those that apply) to O;
 * nothing for SG_DET_NONE. */
void sg_detail_json(struct json_object *o, const struct sg_detail *d, unsigned int reason,
		    const char *pattern);

#endif
