// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * gen_vectors OUTDIR: labelled SIP test vectors (issue 2 part 5).
 *
 * Messages are built with osip2's API where osip2 can produce the form
 * (osip_message_init, osip_message_set_..., osip_message_to_str) and from text templates where it cannot
 * (compact names, bare LF, folding, whitespace before ':', broken messages).
 * Every vector is labelled with the verdict sipguard must give (valid set:
 * pass; invalid set: drop with the one rule it breaks) and with osip2's own
 * verdict (osip_message_parse + mandatory headers present), so the places
 * where osip2 and sipguard disagree are on record.
 *
 * Output in OUTDIR:
 *   vectors-valid.pcap          + vectors-valid.manifest        (pbx edge)
 *   vectors-invalid.pcap        + vectors-invalid.manifest      (pbx edge)
 *                               + vectors-invalid-pbx.manifest  (pbx only)
 *                               + vectors-invalid-edge.manifest (edge only)
 * Manifest lines: "capture F", "profiles P...", "default VERDICT REASON"
 * (packets not listed; without a default line unlisted packets are not
 * checked by that manifest), "N VERDICT REASON" (N 1-based), "# comment".
 * Everything is deterministic: fixed seeds, fixed timestamps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_message.h>

#ifndef SG_OSIP2_VERSION
#define SG_OSIP2_VERSION "unknown"
#endif

/* ---- growable string --------------------------------------------------- */

struct sb {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sb *b, const void *d, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void sb_s(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_f(struct sb *b, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	sb_add(b, s, n);
	free(s);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* ---- vectors ------------------------------------------------------------ */

enum { SET_VALID, SET_INVALID };
enum { T_UDP4, T_TCP4, T_UDP6, T_TCP6 };

struct vec {
	int set;
	int tr;                 /* T_* */
	char name[64];
	char *data;
	size_t len;
	const char *pbx, *edge; /* expected "pass sip", "drop bad-cseq", ... */
	int by_osip;            /* built with osip2's API */
	char osip[64];          /* osip2's verdict: ok, parse-error, no-via, ... */
	char osip_log[96];      /* osip2's first error message for it */
	const char *note;       /* why this vector is interesting, or NULL */
	int index;              /* 1-based within its capture */
	int syn_index;          /* TCP: the SYN opening its stream, just before it */
};

static struct vec vecs[512];
static int nvecs;
static unsigned int g_seq = 1; /* per-vector tag/branch/Call-ID counter */

static struct vec *add(int set, int tr, const char *name, const char *pbx, const char *edge,
		       const void *data, size_t len, const char *note)
{
	struct vec *v;

	if (nvecs >= (int)(sizeof(vecs) / sizeof(vecs[0])))
		abort();
	v = &vecs[nvecs++];
	memset(v, 0, sizeof(*v));
	v->set = set;
	v->tr = tr;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->data = malloc(len + 1);
	memcpy(v->data, data, len);
	v->data[len] = 0;
	v->len = len;
	v->pbx = pbx;
	v->edge = edge ? edge : pbx;
	v->note = note;
	return v;
}

#define PASS "pass sip"

static void valid(int tr, const char *name, struct sb *b, const char *note)
{
	add(SET_VALID, tr, name, PASS, NULL, b->p, b->len, note);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void invalid(int tr, const char *name, const char *reason, struct sb *b, const char *note)
{
	char *e;

	if (asprintf(&e, "drop %s", reason) < 0)
		abort();
	add(SET_INVALID, tr, name, e, NULL, b->p, b->len, note);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- osip2's verdict ------------------------------------------------------- */

/* osip2's trace messages: the first error of a parse explains its verdict. */
static char osip_log[96];

static void sg_osip_trace(const char *fi, int li, osip_trace_level_t level, const char *chfr,
		       va_list ap)
{
	char *nl;

	if (osip_log[0] || level > OSIP_WARNING)
		return;
	vsnprintf(osip_log, sizeof(osip_log), chfr, ap);
	if ((nl = strchr(osip_log, '\n')))
		*nl = 0;
}

static void osip_verdict(struct vec *v)
{
	osip_message_t *m = NULL;
	const char *r = "ok";

	if (osip_message_init(&m) != 0)
		abort();
	osip_log[0] = 0;
	if (osip_message_parse(m, v->data, v->len) != 0)
		r = "parse-error";
	else if (!m->sip_version)
		r = "parse-error";
	else if (osip_list_size(&m->vias) < 1)
		r = "no-via";
	else if (!m->from)
		r = "no-from";
	else if (!m->to)
		r = "no-to";
	else if (!m->call_id)
		r = "no-call-id";
	else if (!m->cseq)
		r = "no-cseq";
	snprintf(v->osip, sizeof(v->osip), "%s", r);
	if (strcmp(r, "ok") && osip_log[0])
		snprintf(v->osip_log, sizeof(v->osip_log), "%s", osip_log);
	osip_message_free(m);
}

/* ---- osip2-built messages ------------------------------------------------ */

static const char *sdp_v4 =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 198.51.100.20\r\n"
	"s=-\r\n"
	"c=IN IP4 198.51.100.20\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=sendrecv\r\n";

static const char *sdp_v6 =
	"v=0\r\n"
	"o=alice 2890844527 2890844527 IN IP6 2001:db8::20\r\n"
	"s=-\r\n"
	"c=IN IP6 2001:db8::20\r\n"
	"t=0 0\r\n"
	"m=audio 49172 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

static const char *tr_name(int tr)
{
	return (tr == T_TCP4 || tr == T_TCP6) ? "TCP" : "UDP";
}

static int is_v6(int tr)
{
	return tr == T_UDP6 || tr == T_TCP6;
}

/* Adds EXTRA headers and the body to M, serialises it with osip2 and records
 * it as a valid vector; frees M. */
static void osip_finish(osip_message_t *m, int tr, const char *name, const char *const *extra,
			const char *ctype, const char *body, const char *note)
{
	char *s = NULL;
	size_t len = 0;
	struct vec *v;

	for (; extra && *extra; extra += 2)
		osip_message_set_header(m, extra[0], extra[1]);
	if (body) {
		osip_message_set_content_type(m, ctype);
		osip_message_set_body(m, body, strlen(body));
	}
	if (osip_message_to_str(m, &s, &len) != 0) {
		fprintf(stderr, "osip_message_to_str failed for %s\n", name);
		exit(1);
	}
	v = add(SET_VALID, tr, name, PASS, NULL, s, len, note);
	v->by_osip = 1;
	osip_free(s);
	osip_message_free(m);
}

/* Builds a request with osip2's API; EXTRA: "Name: value" pairs. */
static void osip_req(int tr, const char *name, const char *method, const char *ruri,
		     const char *const *extra, const char *ctype, const char *body,
		     const char *note)
{
	osip_message_t *m;
	osip_uri_t *u;
	char buf[256];
	unsigned int id = g_seq++;
	const char *host = is_v6(tr) ? "[2001:db8::20]" : "198.51.100.20";

	osip_message_init(&m);
	osip_message_set_method(m, xstrdup(method));
	osip_uri_init(&u);
	if (osip_uri_parse(u, ruri) != 0) {
		fprintf(stderr, "osip_uri_parse failed: %s\n", ruri);
		exit(1);
	}
	osip_message_set_uri(m, u);
	osip_message_set_version(m, xstrdup("SIP/2.0"));
	snprintf(buf, sizeof(buf), "SIP/2.0/%s %s:5060;branch=z9hG4bK%08xosip;rport",
		 tr_name(tr), host, id * 2654435761u);
	osip_message_set_via(m, buf);
	osip_message_set_max_forwards(m, "70");
	snprintf(buf, sizeof(buf), "\"Alice\" <sip:alice@example.com>;tag=%ua%x", id, id * 7919);
	osip_message_set_from(m, buf);
	osip_message_set_to(m, strcmp(method, "REGISTER") ? "<sip:bob@example.com>"
							   : "<sip:alice@example.com>");
	snprintf(buf, sizeof(buf), "%xc%u@%s", id * 40503u, id, "pc33.example.com");
	osip_message_set_call_id(m, buf);
	snprintf(buf, sizeof(buf), "%u %s", 100 + id, method);
	osip_message_set_cseq(m, buf);
	snprintf(buf, sizeof(buf), "<sip:alice@%s:5060;transport=%s>", host, tr_name(tr));
	osip_message_set_contact(m, buf);
	osip_message_set_header(m, "User-Agent", "Vectors/1.0 (osip2)");
	osip_finish(m, tr, name, extra, ctype, body, note);
}

/* Builds a response with osip2's API; the top Via is the guarded host's own. */
static void osip_resp(int tr, const char *name, int code, const char *reason,
		      const char *cseq_method, const char *const *extra, const char *ctype,
		      const char *body, const char *note)
{
	osip_message_t *m;
	char buf[256];
	unsigned int id = g_seq++;
	const char *own = is_v6(tr) ? "[2001:db8::10]" : "192.0.2.10";

	osip_message_init(&m);
	osip_message_set_version(m, xstrdup("SIP/2.0"));
	osip_message_set_status_code(m, code);
	osip_message_set_reason_phrase(m, xstrdup(reason));
	snprintf(buf, sizeof(buf), "SIP/2.0/%s %s:5060;branch=z9hG4bK%08xown;received=198.51.100.1",
		 tr_name(tr), own, id * 2654435761u);
	osip_message_set_via(m, buf);
	osip_message_set_from(m, "<sip:carol@example.net>;tag=c4r0l");
	snprintf(buf, sizeof(buf), "\"Bob\" <sip:bob@example.com>;tag=%ub%x", id, id * 104729u);
	osip_message_set_to(m, buf);
	snprintf(buf, sizeof(buf), "r%xe%u@pbx.example.com", id * 40503u, id);
	osip_message_set_call_id(m, buf);
	snprintf(buf, sizeof(buf), "%u %s", 10 + id, cseq_method);
	osip_message_set_cseq(m, buf);
	osip_finish(m, tr, name, extra, ctype, body, note);
}

/* ---- text templates ------------------------------------------------------- */

/* Standard headers a template may leave out (OMIT_*) and then supply in
 * EXTRA in its own form. */
enum {
	O_VIA = 1, O_FROM = 2, O_TO = 4, O_CALLID = 8, O_CSEQ = 16, O_MAXFWD = 32,
	O_CLEN = 64, O_CTYPE = 128, O_CONTACT = 256,
};
#define CL_AUTO (-1)

/* Request START_LINE (no CRLF) with the standard header set minus OMIT,
 * then EXTRA (complete lines, CRLF-terminated), Content-Type when there is
 * a body, Content-Length (CL_AUTO = body length), blank line, body. */
static void tmpl(struct sb *b, int tr, const char *start, const char *cseq_method,
		 unsigned int omit, const char *extra, const char *body, long clen)
{
	unsigned int id = g_seq++;
	int resp = !strncmp(start, "SIP/", 4);
	const char *host = is_v6(tr) ? "[2001:db8::20]" : "198.51.100.20";
	const char *own = is_v6(tr) ? "[2001:db8::10]" : "192.0.2.10";

	sb_f(b, "%s\r\n", start);
	if (!(omit & O_VIA)) {
		if (resp)
			sb_f(b, "Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%08xr;received=198.51.100.1\r\n",
			     tr_name(tr), own, id * 2654435761u);
		else
			sb_f(b, "Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%08xt;rport\r\n", tr_name(tr),
			     host, id * 2654435761u);
	}
	if (!resp && !(omit & O_MAXFWD))
		sb_s(b, "Max-Forwards: 70\r\n");
	if (!(omit & O_FROM))
		sb_f(b, "From: \"Alice\" <sip:alice@example.com>;tag=%uf%x\r\n", id, id * 7919u);
	if (!(omit & O_TO))
		sb_f(b, resp ? "To: <sip:bob@example.com>;tag=%ut%x\r\n" : "To: <sip:bob@example.com>\r\n",
		     id, id * 31u);
	if (!(omit & O_CALLID))
		sb_f(b, "Call-ID: %xk%u@pc33.example.com\r\n", id * 40503u, id);
	if (!(omit & O_CSEQ))
		sb_f(b, "CSeq: %u %s\r\n", 200 + id, cseq_method);
	if (!resp && !(omit & O_CONTACT))
		sb_f(b, "Contact: <sip:alice@%s:5060>\r\n", host);
	if (extra)
		sb_s(b, extra);
	if (body && *body && !(omit & O_CTYPE))
		sb_s(b, "Content-Type: application/sdp\r\n");
	if (!(omit & O_CLEN))
		sb_f(b, "Content-Length: %ld\r\n", clen == CL_AUTO ? (long)(body ? strlen(body) : 0) : clen);
	sb_s(b, "\r\n");
	if (body)
		sb_s(b, body);
}

/* The standard request METHOD sip:bob@example.com. */
static void req(struct sb *b, int tr, const char *method, unsigned int omit, const char *extra,
		const char *body)
{
	char *start;

	if (asprintf(&start, "%s sip:bob@example.com SIP/2.0", method) < 0)
		abort();
	tmpl(b, tr, start, method, omit, extra, body, CL_AUTO);
	free(start);
}

/* CRLF -> LF everywhere (the body included: its length is recomputed). */
static void to_lf(struct sb *b)
{
	size_t i, j = 0;

	for (i = 0; i < b->len; i++) {
		if (b->p[i] == '\r' && i + 1 < b->len && b->p[i + 1] == '\n')
			continue;
		b->p[j++] = b->p[i];
	}
	b->len = j;
	b->p[j] = 0;
}

static char *rep(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = 0;
	return s;
}

/* ---- the valid set ---------------------------------------------------------- */

static void gen_valid(void)
{
	static const char *const methods[] = {
		"INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "PRACK",
		"SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE",
	};
	struct sb b = { 0 };
	char name[64], *s;

	/* every method, built by osip2 */
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		const char *m = methods[i];
		static const char *const reg[] = { "Expires", "3600", NULL };
		static const char *const sub[] = { "Event", "presence", "Expires", "600",
						   "Accept", "application/pidf+xml", NULL };
		static const char *const ntf[] = { "Event", "presence",
						   "Subscription-State", "active;expires=599", NULL };
		static const char *const pub[] = { "Event", "presence", "Expires", "3600", NULL };
		static const char *const prk[] = { "RAck", "776656 1 INVITE", NULL };
		static const char *const ref[] = { "Refer-To", "<sip:carol@example.net>",
						   "Referred-By", "<sip:alice@example.com>", NULL };
		static const char *const inf[] = { "Info-Package", "dtmf", NULL };
		static const char *const inv[] = { "Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS",
						   "Supported", "replaces, timer", NULL };
		const char *const *extra = NULL, *ctype = NULL, *body = NULL;

		if (!strcmp(m, "INVITE") || !strcmp(m, "UPDATE"))
			extra = inv, ctype = "application/sdp", body = sdp_v4;
		else if (!strcmp(m, "REGISTER"))
			extra = reg;
		else if (!strcmp(m, "SUBSCRIBE"))
			extra = sub;
		else if (!strcmp(m, "NOTIFY"))
			extra = ntf, ctype = "application/pidf+xml",
			body = "<?xml version=\"1.0\"?>\r\n<presence entity=\"sip:alice@example.com\"/>\r\n";
		else if (!strcmp(m, "PUBLISH"))
			extra = pub, ctype = "application/pidf+xml",
			body = "<?xml version=\"1.0\"?>\r\n<presence entity=\"sip:alice@example.com\"/>\r\n";
		else if (!strcmp(m, "PRACK"))
			extra = prk;
		else if (!strcmp(m, "REFER"))
			extra = ref;
		else if (!strcmp(m, "INFO"))
			extra = inf, ctype = "application/dtmf-relay", body = "Signal=5\r\nDuration=160\r\n";
		else if (!strcmp(m, "MESSAGE"))
			ctype = "text/plain", body = "Hello, Bob.";
		snprintf(name, sizeof(name), "method-%s", m);
		osip_req(T_UDP4, name, m,
			 strcmp(m, "REGISTER") ? "sip:bob@example.com" : "sip:example.com",
			 extra, ctype, body, NULL);
	}

	/* responses across the classes, built by osip2 */
	{
		static const struct { int code; const char *reason, *method; } rs[] = {
			{ 100, "Trying", "INVITE" }, { 180, "Ringing", "INVITE" },
			{ 181, "Call Is Being Forwarded", "INVITE" },
			{ 200, "OK", "BYE" }, { 202, "Accepted", "REFER" },
			{ 204, "No Notification", "SUBSCRIBE" },
			{ 300, "Multiple Choices", "INVITE" }, { 301, "Moved Permanently", "INVITE" },
			{ 380, "Alternative Service", "INVITE" },
			{ 400, "Bad Request", "OPTIONS" }, { 403, "Forbidden", "REGISTER" },
			{ 404, "Not Found", "INVITE" }, { 408, "Request Timeout", "INVITE" },
			{ 480, "Temporarily Unavailable", "INVITE" }, { 486, "Busy Here", "INVITE" },
			{ 487, "Request Terminated", "INVITE" }, { 488, "Not Acceptable Here", "INVITE" },
			{ 491, "Request Pending", "UPDATE" },
			{ 500, "Server Internal Error", "INVITE" }, { 501, "Not Implemented", "PUBLISH" },
			{ 504, "Server Time-out", "INVITE" },
			{ 600, "Busy Everywhere", "INVITE" }, { 603, "Decline", "INVITE" },
			{ 604, "Does Not Exist Anywhere", "INVITE" },
			{ 606, "Not Acceptable", "INVITE" }, { 699, "Unknown Global Failure", "INVITE" },
		};
		for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
			snprintf(name, sizeof(name), "response-%d", rs[i].code);
			osip_resp(T_UDP4, name, rs[i].code, rs[i].reason, rs[i].method, NULL, NULL,
				  NULL, NULL);
		}
		static const char *const contact[] = { "Contact", "<sip:bob@192.0.2.77>", NULL };
		static const char *const www[] = { "WWW-Authenticate",
			"Digest realm=\"example.com\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", "
			"algorithm=MD5, qop=\"auth\"", NULL };
		static const char *const pxa[] = { "Proxy-Authenticate",
			"Digest realm=\"example.com\", nonce=\"7f3e1b2a\", stale=FALSE", NULL };
		static const char *const ra[] = { "Retry-After", "120 (maintenance);duration=3600", NULL };
		static const char *const ok[] = { "Contact", "<sip:bob@192.0.2.10:5060>",
			"Supported", "timer", "Session-Expires", "1800;refresher=uac", NULL };
		osip_resp(T_UDP4, "response-183-sdp", 183, "Session Progress", "INVITE", contact,
			  "application/sdp", sdp_v4, NULL);
		osip_resp(T_UDP4, "response-200-invite-sdp", 200, "OK", "INVITE", ok,
			  "application/sdp", sdp_v4, NULL);
		osip_resp(T_UDP4, "response-302-contact", 302, "Moved Temporarily", "INVITE",
			  contact, NULL, NULL, NULL);
		osip_resp(T_UDP4, "response-401-www-auth", 401, "Unauthorized", "REGISTER", www,
			  NULL, NULL, NULL);
		osip_resp(T_UDP4, "response-407-proxy-auth", 407, "Proxy Authentication Required",
			  "INVITE", pxa, NULL, NULL, NULL);
		osip_resp(T_UDP4, "response-503-retry-after", 503, "Service Unavailable", "OPTIONS",
			  ra, NULL, NULL, NULL);
	}

	/* odd and empty reason phrases (templates: exact status line bytes) */
	tmpl(&b, T_UDP4, "SIP/2.0 200 \"Very\"  odd: reason; phrase, with (punctuation) & 100% tabs\tinside",
	     "OPTIONS", 0, NULL, NULL, CL_AUTO);
	valid(T_UDP4, "reason-odd-punctuation", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/2.0 486 Besetzt \xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0\xc3\xa9 \xe5\xbf\x99",
	     "INVITE", 0, NULL, NULL, CL_AUTO);
	valid(T_UDP4, "reason-utf8", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/2.0 404 ", "INVITE", 0, NULL, NULL, CL_AUTO);
	valid(T_UDP4, "reason-empty", &b, "Status-Line = SIP-Version SP Status-Code SP Reason-Phrase, phrase empty");
	tmpl(&b, T_UDP4, "SIP/2.0 200 ok", "BYE", 0, NULL, NULL, CL_AUTO);
	valid(T_UDP4, "reason-lower-case", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/2.0 299 Some Extension Success", "INFO", 0, NULL, NULL, CL_AUTO);
	valid(T_UDP4, "response-299-extension", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/2.0 199 Early Dialog Terminated", "INVITE", 0, NULL, NULL, CL_AUTO);
	valid(T_UDP4, "response-199", &b, NULL);

	/* compact forms v f t i m l c k s e */
	sb_f(&b, "INVITE sip:bob@example.com SIP/2.0\r\n"
		 "v: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK74bf9c1\r\n"
		 "Max-Forwards: 70\r\n"
		 "f: Alice <sip:alice@example.com>;tag=9fxced76sl\r\n"
		 "t: Bob <sip:bob@example.com>\r\n"
		 "i: 3848276298220188511@pc33.example.com\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "m: <sip:alice@198.51.100.20:5060>\r\n"
		 "k: 100rel, timer\r\n"
		 "s: Lunch?\r\n"
		 "c: application/sdp\r\n"
		 "l: %zu\r\n\r\n%s", strlen(sdp_v4), sdp_v4);
	valid(T_UDP4, "compact-names", &b, NULL);
	sb_s(&b, "OPTIONS sip:bob@example.com SIP/2.0\r\n"
		 "v: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKa01opt\r\n"
		 "Max-Forwards: 70\r\n"
		 "f: <sip:alice@example.com>;tag=b1c2\r\n"
		 "t: <sip:bob@example.com>\r\n"
		 "i: opt-1a2b3c@pc33.example.com\r\n"
		 "CSeq: 7 OPTIONS\r\n"
		 "e: gzip\r\n"
		 "l: 0\r\n\r\n");
	valid(T_UDP4, "compact-content-encoding", &b, "e: with no body: nothing to decode");
	sb_f(&b, "INFO sip:bob@example.com SIP/2.0\r\n"
		 "V: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKupc0\r\n"
		 "Max-Forwards: 70\r\n"
		 "F: <sip:alice@example.com>;tag=up1\r\n"
		 "T: <sip:bob@example.com>\r\n"
		 "I: up-compact-77@pc33.example.com\r\n"
		 "CSeq: 3 INFO\r\n"
		 "C: text/plain\r\n"
		 "L: 5\r\n\r\nHello");
	valid(T_UDP4, "compact-names-upper-case", &b, NULL);

	/* header names in odd case */
	sb_f(&b, "INVITE sip:bob@example.com SIP/2.0\r\n"
		 "vIA: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKcase1\r\n"
		 "mAX-fORWARDS: 70\r\n"
		 "fRoM: <sip:alice@example.com>;tag=c1\r\n"
		 "tO: <sip:bob@example.com>\r\n"
		 "cALL-iD: case-1@pc33.example.com\r\n"
		 "cseq: 1 INVITE\r\n"
		 "CONTACT: <sip:alice@198.51.100.20>\r\n"
		 "content-TYPE: application/sdp\r\n"
		 "CONTENT-length: %zu\r\n\r\n%s", strlen(sdp_v4), sdp_v4);
	valid(T_UDP4, "mixed-case-names", &b, NULL);
	sb_s(&b, "BYE sip:bob@192.0.2.10 SIP/2.0\r\n"
		 "VIA: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKcase2\r\n"
		 "MAX-FORWARDS: 70\r\n"
		 "FROM: <sip:alice@example.com>;tag=c2\r\n"
		 "TO: <sip:bob@example.com>;tag=c3\r\n"
		 "CALL-ID: case-2@pc33.example.com\r\n"
		 "CSEQ: 2 BYE\r\n"
		 "CONTENT-LENGTH: 0\r\n\r\n");
	valid(T_UDP4, "upper-case-names", &b, NULL);

	/* bare LF line ends */
	req(&b, T_UDP4, "INVITE", 0, NULL, sdp_v4);
	to_lf(&b);
	/* the body shrank by one byte per line: rewrite Content-Length */
	{
		char *p = strstr(b.p, "Content-Length: "), *bd = strstr(b.p, "\n\n");
		size_t body = b.len - (size_t)(bd + 2 - b.p);
		struct sb c = { 0 };

		sb_add(&c, b.p, p - b.p);
		sb_f(&c, "Content-Length: %zu", body);
		sb_s(&c, strchr(p, '\n'));
		free(b.p);
		b = c;
	}
	valid(T_UDP4, "bare-lf-invite-sdp", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/2.0 180 Ringing", "INVITE", 0, NULL, NULL, CL_AUTO);
	to_lf(&b);
	valid(T_UDP4, "bare-lf-response", &b, NULL);
	req(&b, T_UDP4, "REGISTER", 0, "Expires: 3600\r\n", NULL);
	to_lf(&b);
	valid(T_UDP4, "bare-lf-register", &b, NULL);

	/* folded header lines (LWS = [*WSP CRLF] 1*WSP) */
	sb_s(&b, "OPTIONS sip:bob@example.com SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 198.51.100.20:5060\r\n"
		 "  ;branch=z9hG4bKfold1\r\n"
		 "\t;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:alice@example.com>;tag=fo1\r\n"
		 "To: <sip:bob@example.com>\r\n"
		 "Call-ID: fold-1@pc33.example.com\r\n"
		 "CSeq: 1 OPTIONS\r\n"
		 "Subject: I know you're there,\r\n"
		 "         pick up the phone\r\n"
		 "\t and talk to me!\r\n"
		 "Content-Length: 0\r\n\r\n");
	valid(T_UDP4, "folded-via-subject", &b, "RFC 3261 7.3.1 example Subject");
	sb_s(&b, "OPTIONS sip:bob@example.com SIP/2.0\r\n"
		 "Via:\r\n"
		 " SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKfold2\r\n"
		 "Max-Forwards:\r\n"
		 "\t70\r\n"
		 "From: \"Alice\"\r\n"
		 " <sip:alice@example.com>;tag=fo2\r\n"
		 "To: <sip:bob@example.com>\r\n"
		 "Call-ID:\r\n"
		 "  fold-2@pc33.example.com\r\n"
		 "CSeq:\r\n"
		 " 1 OPTIONS\r\n"
		 "Content-Length:\r\n"
		 " 0\r\n\r\n");
	valid(T_UDP4, "folded-value-on-next-line", &b, "every value starts on a continuation line");
	sb_s(&b, "OPTIONS sip:bob@example.com SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKfold3,\r\n"
		 "     SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bKfold3b\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:alice@example.com>;tag=fo3\r\n"
		 "To: <sip:bob@example.com>\r\n"
		 "Call-ID: fold-3@pc33.example.com\r\n"
		 "CSeq: 1\r\n"
		 "  OPTIONS\r\n"
		 "Content-Length: 0\r\n\r\n");
	valid(T_UDP4, "folded-cseq-number-method", &b,
	      "CSeq = 1*DIGIT LWS Method: the LWS may be CRLF SP");

	/* whitespace around ':' */
	sb_f(&b, "INVITE sip:bob@example.com SIP/2.0\r\n"
		 "Via  : SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKws1\r\n"
		 "Max-Forwards\t: 70\r\n"
		 "From :<sip:alice@example.com>;tag=ws1\r\n"
		 "To\t:\t<sip:bob@example.com>\r\n"
		 "Call-ID :    ws-1@pc33.example.com   \r\n"
		 "CSeq:1 INVITE\r\n"
		 "Contact:<sip:alice@198.51.100.20>\r\n"
		 "Content-Type :  application/sdp\r\n"
		 "Content-Length \t:\t %zu\r\n\r\n%s", strlen(sdp_v4), sdp_v4);
	valid(T_UDP4, "whitespace-around-colon", &b, NULL);

	/* IPv6 literals */
	sb_f(&b, "INVITE sip:bob@[2001:db8::10]:5060;transport=udp SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP [2001:db8::20]:5060;branch=z9hG4bKv6a;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: \"Alice\" <sip:alice@[2001:db8::20]>;tag=v6a\r\n"
		 "To: <sip:bob@[2001:db8::10]>\r\n"
		 "Call-ID: v6a-1@[2001:db8::20]\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "Contact: <sip:alice@[2001:db8::20]:5060>\r\n"
		 "Content-Type: application/sdp\r\n"
		 "Content-Length: %zu\r\n\r\n%s", strlen(sdp_v6), sdp_v6);
	valid(T_UDP4, "ipv6-literals-over-ipv4", &b, NULL);
	sb_s(&b, "OPTIONS sip:[2001:db8:0:0:0:0:0:10] SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP [2001:db8::20];branch=z9hG4bKv6b\r\n"
		 "Via: SIP/2.0/UDP [::ffff:203.0.113.9]:5070;branch=z9hG4bKv6c;received=2001:db8::99\r\n"
		 "Max-Forwards: 69\r\n"
		 "From: <sip:[2001:db8::20]>;tag=v6b\r\n"
		 "To: <sip:[2001:db8:0:0:0:0:0:10]>\r\n"
		 "Call-ID: v6b-2\r\n"
		 "CSeq: 2 OPTIONS\r\n"
		 "Content-Length: 0\r\n\r\n");
	valid(T_UDP4, "ipv6-literals-no-port", &b, NULL);

	/* Via lists */
	req(&b, T_UDP4, "BYE", 0,
	    "Via: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bKp2;received=203.0.113.9\r\n"
	    "Via: SIP/2.0/TCP proxy.example.org;branch=z9hG4bKp3\r\n", NULL);
	valid(T_UDP4, "multiple-via-headers", &b, NULL);
	req(&b, T_UDP4, "INFO", 0,
	    "Via: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bKc1, SIP/2.0/TLS proxy.example.org:5061"
	    ";branch=z9hG4bKc2 ,SIP/2.0/UDP [2001:db8::99];branch=z9hG4bKc3\r\n", NULL);
	valid(T_UDP4, "comma-separated-via", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/2.0 200 OK", "INVITE", 0,
	     "Via: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bKr2, SIP/2.0/UDP 198.51.100.20;branch=z9hG4bKr3\r\n"
	     "Record-Route: <sip:203.0.113.9;lr>\r\n", sdp_v4, CL_AUTO);
	valid(T_UDP4, "response-multiple-via", &b, NULL);

	/* bodies and Content-Length */
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.com SIP/2.0", "INVITE", O_CLEN, NULL, sdp_v4, CL_AUTO);
	valid(T_UDP4, "no-content-length-udp-sdp", &b, "UDP: the datagram ends the body (18.3)");
	req(&b, T_UDP4, "OPTIONS", O_CLEN, "Accept: application/sdp\r\n", NULL);
	valid(T_UDP4, "no-content-length-udp-empty", &b, NULL);
	req(&b, T_UDP4, "INVITE", 0, NULL, sdp_v4);
	sb_s(&b, "\r\n\r\n");
	valid(T_UDP4, "bytes-after-body-crlf", &b, "RFC 3261 18.3: bytes after Content-Length ignored");
	req(&b, T_UDP4, "INFO", O_CTYPE, "Content-Type: text/plain;charset=UTF-8\r\n", "Hi Bob");
	sb_s(&b, "trailing garbage after the body");
	valid(T_UDP4, "bytes-after-body-text", &b, "RFC 3261 18.3: bytes after Content-Length ignored");
	req(&b, T_UDP4, "BYE", 0, NULL, NULL);
	sb_s(&b, "\r\n");
	valid(T_UDP4, "bytes-after-empty-body", &b, "Content-Length: 0 then CRLF");
	tmpl(&b, T_UDP4, "INFO sip:bob@example.com SIP/2.0", "INFO", O_CLEN | O_CTYPE,
	     "Content-Type: text/plain\r\nContent-Length: 0005\r\n", "Hello", CL_AUTO);
	valid(T_UDP4, "content-length-leading-zeros", &b, "1*DIGIT");
	req(&b, T_UDP4, "INFO", O_CTYPE,
	    "Content-Type: multipart/mixed;boundary=unique-boundary-1\r\nMIME-Version: 1.0\r\n",
	    "--unique-boundary-1\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
	    "--unique-boundary-1\r\nContent-Type: text/html\r\n\r\n<b>Hello</b>\r\n"
	    "--unique-boundary-1--\r\n");
	valid(T_UDP4, "multipart-body", &b, NULL);

	/* CRLF before the start line (RFC 3261 7.5) */
	sb_s(&b, "\r\n");
	req(&b, T_UDP4, "OPTIONS", 0, NULL, NULL);
	valid(T_UDP4, "crlf-before-start-line", &b, NULL);
	sb_s(&b, "\r\n\r\n");
	tmpl(&b, T_UDP4, "SIP/2.0 200 OK", "OPTIONS", 0, NULL, NULL, CL_AUTO);
	valid(T_UDP4, "crlfcrlf-before-status-line", &b, NULL);

	/* Request-URI schemes */
	tmpl(&b, T_UDP4, "INVITE sips:bob@example.com SIP/2.0", "INVITE", O_CONTACT,
	     "Contact: <sips:alice@pc33.example.com>\r\n", sdp_v4, CL_AUTO);
	valid(T_UDP4, "ruri-sips", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE tel:+1-201-555-0123 SIP/2.0", "INVITE", O_TO,
	     "To: <tel:+1-201-555-0123>\r\n", sdp_v4, CL_AUTO);
	valid(T_UDP4, "ruri-tel", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE tel:7042;phone-context=example.com SIP/2.0", "INVITE", 0, NULL,
	     sdp_v4, CL_AUTO);
	valid(T_UDP4, "ruri-tel-local", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE urn:service:sos SIP/2.0", "INVITE", O_TO,
	     "To: <urn:service:sos>\r\nGeolocation: <cid:target123@example.com>\r\n", sdp_v4, CL_AUTO);
	valid(T_UDP4, "ruri-urn-service-sos", &b, "RFC 5031 emergency call");
	tmpl(&b, T_UDP4, "INVITE SIP:BOB@EXAMPLE.COM SIP/2.0", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	valid(T_UDP4, "ruri-upper-case-scheme", &b, "schemes are case-insensitive");

	/* user parts */
	tmpl(&b, T_UDP4, "INVITE sip:*21#@example.com;user=phone SIP/2.0", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	valid(T_UDP4, "user-hash", &b, "strict RFC 3261 wants %23; phones send # (feature codes)");
	tmpl(&b, T_UDP4, "INVITE sip:%2A21%23@example.com;user=phone SIP/2.0", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	valid(T_UDP4, "user-escaped-hash", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE sip:+1-201-555-0123;phone-context=+1;isub=1234@gw.example.com;user=phone SIP/2.0",
	     "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	valid(T_UDP4, "user-params", &b, "';' is user-unreserved");
	tmpl(&b, T_UDP4, "OPTIONS sip:a.b-c_d!~*'()&=+$,?/x%41@example.com SIP/2.0", "OPTIONS", O_TO,
	     "To: <sip:a.b-c_d!~*'()&=+$,?/x%41@example.com>\r\n", NULL, CL_AUTO);
	valid(T_UDP4, "user-all-legal-marks", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE sip:alice:secret@example.com:5070;transport=udp;lr;maddr=192.0.2.10 SIP/2.0",
	     "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	valid(T_UDP4, "ruri-password-port-params", &b, NULL);

	/* display names */
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.com SIP/2.0", "INVITE", O_FROM | O_TO,
	     "From: \"Alice \\\"Al\\\" O'Neil \\\\ Smith\" <sip:alice@example.com>;tag=dq1\r\n"
	     "To: \"\" <sip:bob@example.com>\r\n", sdp_v4, CL_AUTO);
	valid(T_UDP4, "display-name-escaped-quotes", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.com SIP/2.0", "INVITE", O_FROM | O_TO,
	     "From: Alice Smith <sip:alice@example.com>;tag=dq2\r\n"
	     "To: sip:bob@example.com\r\n", sdp_v4, CL_AUTO);
	valid(T_UDP4, "display-name-tokens-and-addr-spec", &b, NULL);
	tmpl(&b, T_UDP4, "INFO sip:bob@example.com SIP/2.0", "INFO", O_FROM | O_CTYPE,
	     "From: \"\xe5\xbc\xa0\xe4\xb8\x89 M\xc3\xbcller\" <sip:zhang@example.com>;tag=u8\r\n"
	     "Content-Type: text/plain;charset=utf-8\r\n", "\xe4\xbd\xa0\xe5\xa5\xbd", CL_AUTO);
	valid(T_UDP4, "display-name-utf8", &b, NULL);

	/* numeric edges */
	req(&b, T_UDP4, "OPTIONS", O_MAXFWD, "Max-Forwards: 0\r\n", NULL);
	valid(T_UDP4, "max-forwards-0", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", O_MAXFWD, "Max-Forwards: 255\r\n", NULL);
	valid(T_UDP4, "max-forwards-255", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_CSEQ, "CSeq: 2147483647 INVITE\r\n", sdp_v4);
	valid(T_UDP4, "cseq-2147483647", &b, "2^31 - 1");
	req(&b, T_UDP4, "BYE", O_CSEQ, "CSeq: 0 BYE\r\n", NULL);
	valid(T_UDP4, "cseq-0", &b, NULL);

	/* requests without Max-Forwards: RFC 3261 16.3 step 3 has a proxy accept
	 * them (and add one), Kamailio's sanity does not drop them; products
	 * send them (tests/corpus). The shipped profiles pass them; the value is
	 * checked when present (max-forwards-256 etc. in the invalid set). */
	req(&b, T_UDP4, "INVITE", O_MAXFWD, NULL, sdp_v4);
	valid(T_UDP4, "no-max-forwards-invite", &b, "require_max_forwards = no (the default)");
	tmpl(&b, T_UDP4, "ACK sip:bob@192.0.2.10 SIP/2.0", "ACK", O_MAXFWD | O_CONTACT, NULL, NULL,
	     CL_AUTO);
	valid(T_UDP4, "no-max-forwards-ack", &b, "ACKs of a phone (zeek wireshark.pcap)");
	tmpl(&b, T_UDP4, "REGISTER sip:example.com SIP/2.0", "REGISTER", O_MAXFWD | O_TO,
	     "To: <sip:alice@example.com>\r\nExpires: 3600\r\n", NULL, CL_AUTO);
	valid(T_UDP4, "no-max-forwards-register", &b, "a Cisco 7960 REGISTER (sipsorcery tests)");
	req(&b, T_TCP4, "BYE", O_MAXFWD, NULL, NULL);
	valid(T_TCP4, "tcp-no-max-forwards-bye", &b, NULL);

	/* long but legal */
	{
		struct sb r = { 0 };

		for (int i = 0; i < 3; i++) {
			sb_s(&r, "Route: ");
			for (int j = 0; j < 6; j++)
				sb_f(&r, "%s<sip:edge%02d-%02d.proxy-cluster.long-domain-name.example.com:5060;lr;transport=udp;ftag=%08x>",
				     j ? ", " : "", i, j, (unsigned)(i * 977 + j * 131));
			sb_s(&r, "\r\n");
		}
		req(&b, T_UDP4, "INVITE", 0, r.p, sdp_v4);
		free(r.p);
		valid(T_UDP4, "route-set-1500-bytes", &b, "three Route lines, ~500 bytes each");
		s = rep('x', 200);
		memcpy(s, "vectors-", 8);
		{
			char extra[600];

			snprintf(extra, sizeof(extra), "User-Agent: %s\r\nX-Long-Token: %s\r\n", s, s);
			req(&b, T_UDP4, "OPTIONS", 0, extra, NULL);
		}
		free(s);
		valid(T_UDP4, "long-header-values-200", &b, NULL);
	}

	/* header names of any length (RFC 3261: token, no bound): the parser
	 * compares the first 16 bytes and the length (README) */
	{
		struct sb h = { 0 };

		sb_s(&h, "X-");
		for (int i = 0; i < 12; i++)
			sb_s(&h, "Long-Name");
		sb_s(&h, ": 1\r\nVia-");
		for (int i = 0; i < 11; i++)
			sb_s(&h, "extension");
		sb_s(&h, "-2: not a Via\r\nContent-Length-");
		for (int i = 0; i < 10; i++)
			sb_s(&h, "0123456789");
		sb_s(&h, " : not a Content-Length\r\n");
		req(&b, T_UDP4, "OPTIONS", 0, h.p, NULL);
		free(h.p);
		valid(T_UDP4, "header-names-100-plus-bytes", &b,
		      "names of 110, 104 and 116 bytes, two starting like Via and Content-Length");
	}

	/* extension headers */
	req(&b, T_UDP4, "INVITE", 0,
	    "P-Asserted-Identity: \"Alice\" <sip:+12015550123@example.com;user=phone>\r\n"
	    "Privacy: id\r\n"
	    "Diversion: <sip:+12015550100@example.com>;reason=unconditional\r\n"
	    "X-Custom-Header: some value; with=params\r\n"
	    "X-Empty:\r\n"
	    "A-Very-Long-Extension-Header-Name-That-Nobody-Knows: 1\r\n"
	    "Subject:\r\n"
	    "Supported:\r\n"
	    "Session-Expires: 1800\r\n"
	    "Accept-Contact: *;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\"\r\n",
	    sdp_v4);
	valid(T_UDP4, "unknown-extension-headers", &b, "empty Subject/Supported/X-Empty are legal");

	/* REGISTER Contact: * with Expires: 0 */
	tmpl(&b, T_UDP4, "REGISTER sip:example.com SIP/2.0", "REGISTER", O_CONTACT | O_TO,
	     "To: <sip:alice@example.com>\r\nContact: *\r\nExpires: 0\r\n", NULL, CL_AUTO);
	valid(T_UDP4, "register-contact-star", &b, NULL);
	tmpl(&b, T_UDP4, "REGISTER sip:example.com SIP/2.0", "REGISTER", O_CONTACT | O_TO,
	     "To: <sip:alice@example.com>\r\n"
	     "Contact: <sip:alice@198.51.100.20>;expires=3600;q=0.7, <sip:alice@[2001:db8::20]>;expires=60\r\n"
	     "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"ea9c8e88\", "
	     "uri=\"sip:example.com\", response=\"dfe56131d1958046689d83306477ecc\"\r\n", NULL, CL_AUTO);
	valid(T_UDP4, "register-two-contacts-auth", &b, NULL);

	/* keep-alives */
	sb_s(&b, "\r\n\r\n");
	add(SET_VALID, T_UDP4, "keepalive-crlfcrlf", "pass keepalive", NULL, b.p, b.len, NULL);
	b.len = 0;
	sb_s(&b, "\r\n");
	add(SET_VALID, T_UDP4, "keepalive-crlf", "pass keepalive", NULL, b.p, b.len, "RFC 5626 pong");
	free(b.p);
	memset(&b, 0, sizeof(b));
	/* text keep-alives (text_keepalives = yes in every shipped profile):
	 * products' NAT keep-alives, UDP, <= 16 bytes of printable ASCII and
	 * whitespace without "SIP/" (tests/corpus) */
	{
		static const char *const ka[][2] = {
			{ "     ", "keepalive-text-5-spaces" },  /* a Nero SIPPS phone */
			{ "hello", "keepalive-text-hello" },     /* Huawei SoftX3000 and its peer */
			{ "hello\r\n", "keepalive-text-hello-crlf" },
			{ "\tping\n", "keepalive-text-tab-ping-lf" },
			{ "0123456789abcdef", "keepalive-text-16-bytes" },
			{ " ", "keepalive-text-1-space" },
		};
		for (size_t i = 0; i < sizeof(ka) / sizeof(ka[0]); i++)
			add(SET_VALID, T_UDP4, ka[i][1], "pass keepalive", NULL, ka[i][0],
			    strlen(ka[i][0]), "text_keepalives");
	}

	/* over TCP (Content-Length always present: a stream needs it) */
	osip_req(T_TCP4, "tcp-invite-osip", "INVITE", "sip:bob@example.com;transport=tcp", NULL,
		 "application/sdp", sdp_v4, NULL);
	req(&b, T_TCP4, "REGISTER", 0, "Expires: 600\r\n", NULL);
	valid(T_TCP4, "tcp-register", &b, NULL);
	tmpl(&b, T_TCP4, "SIP/2.0 200 OK", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	valid(T_TCP4, "tcp-response-200-sdp", &b, NULL);
	sb_s(&b, "OPTIONS sip:bob@example.com;transport=tcp SIP/2.0\n"
		 "v: SIP/2.0/TCP 198.51.100.20:5060;branch=z9hG4bKtcpc\n"
		 "Max-Forwards: 70\n"
		 "f: <sip:alice@example.com>;tag=tc\n"
		 "t: <sip:bob@example.com>\n"
		 "i: tcp-compact-1@pc33.example.com\n"
		 "CSeq: 4 OPTIONS\n"
		 "l: 0\n\n");
	valid(T_TCP4, "tcp-compact-bare-lf", &b, NULL);

	/* over IPv6 */
	osip_req(T_UDP6, "udp6-invite-osip", "INVITE", "sip:bob@[2001:db8::10]", NULL,
		 "application/sdp", sdp_v6, NULL);
	tmpl(&b, T_UDP6, "OPTIONS sip:[2001:db8::10]:5060 SIP/2.0", "OPTIONS", 0, NULL, NULL, CL_AUTO);
	valid(T_UDP6, "udp6-options", &b, NULL);
	tmpl(&b, T_UDP6, "SIP/2.0 200 OK", "REGISTER", 0, "Contact: <sip:alice@[2001:db8::20]>;expires=3600\r\n",
	     NULL, CL_AUTO);
	valid(T_UDP6, "udp6-response-200", &b, NULL);
	req(&b, T_TCP6, "SUBSCRIBE", 0, "Event: dialog\r\nExpires: 3600\r\n", NULL);
	valid(T_TCP6, "tcp6-subscribe", &b, NULL);
}

/* ---- the invalid set: each vector breaks exactly one rule ------------------ */

static void gen_invalid(void)
{
	struct sb b = { 0 };
	char *s, *line;

	/* start line */
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.comSIP/2.0", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	invalid(T_UDP4, "start-line-no-sp-before-version", "bad-start-line", &b, NULL);
	tmpl(&b, T_UDP4, "INVITEsip:bob@example.com SIP/2.0", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	invalid(T_UDP4, "start-line-no-sp-after-method", "bad-start-line", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE SIP/2.0", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	invalid(T_UDP4, "start-line-no-uri", "bad-start-line", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.com", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	invalid(T_UDP4, "start-line-no-version", "bad-start-line", &b,
		"the URI runs to the line's end; the next line has spaces within 8 bytes");
	tmpl(&b, T_UDP4, "SIP/2.0 2000 OK", "INVITE", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "status-code-4-digits", "bad-start-line", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/2.0 20x OK", "INVITE", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "status-code-not-digits", "bad-start-line", &b, NULL);
	tmpl(&b, T_UDP4, "INV@ITE sip:bob@example.com SIP/2.0", "INV@ITE", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "method-illegal-char-at", "bad-start-line", &b, "'@' is not a token char");
	tmpl(&b, T_UDP4, "INV[ITE] sip:bob@example.com SIP/2.0", "INV[ITE]", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "method-illegal-char-bracket", "bad-start-line", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.com SIP/3.0", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	invalid(T_UDP4, "version-3.0-request", "bad-version", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/3.0 200 OK", "INVITE", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "version-3.0-response", "bad-version", &b, NULL);
	tmpl(&b, T_UDP4, "OPTIONS sip:bob@example.com SIP/2.1", "OPTIONS", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "version-2.1-request", "bad-version", &b, NULL);
	req(&b, T_UDP4, "FOOBAR", 0, NULL, NULL);
	add(SET_INVALID, T_UDP4, "unknown-method-foobar", "drop method-not-allowed", PASS, b.p,
	    b.len, "well-formed extension method: pbx allow-list drops, edge passes");
	b.len = 0;
	/* methods of any length (RFC 3261: token): compared with CSeq's on the
	 * first 16 bytes and the length */
	{
		struct sb m = { 0 };

		for (int i = 0; i < 10; i++)
			sb_s(&m, "LONGMETHOD");
		sb_s(&m, "-x.y!%*_+`'~");
		req(&b, T_UDP4, m.p, 0, NULL, NULL);
		add(SET_INVALID, T_UDP4, "method-112-bytes", "drop method-not-allowed", PASS, b.p,
		    b.len, "a 112-byte extension method: edge passes it, pbx allows its 14 methods only");
		b.len = 0;
		tmpl(&b, T_TCP4, "INVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITE sip:bob@example.com SIP/2.0",
		     "INVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITEINVITE",
		     0, NULL, NULL, CL_AUTO);
		add(SET_INVALID, T_TCP4, "tcp-method-108-bytes-like-invite", "drop method-not-allowed", PASS,
		    b.p, b.len, "starts like INVITE: not INVITE (its length differs)");
		b.len = 0;
		req(&b, T_UDP4, m.p, O_CSEQ, "CSeq: 1 LONGMETHODLONGMETHO\r\n", NULL);
		add(SET_INVALID, T_UDP4, "method-112-bytes-cseq-16-bytes", "drop method-not-allowed",
		    "drop cseq-method", b.p, b.len,
		    "edge: the CSeq method has the same first 16 bytes, another length");
		b.len = 0;
		free(m.p);
	}
	/* Request-URI schemes: RFC 3261 allows any absoluteURI, the UAS answers
	 * 416 (RFC 4475 3.3.2, 3.3.3). edge: uri_schemes = any; pbx keeps the
	 * list sip sips tel tels urn */
	{
		static const struct { const char *start, *method, *name; } sch[] = {
			{ "INVITE http://example.com/bob SIP/2.0", "INVITE", "ruri-scheme-http" },
			{ "OPTIONS mailto:bob@example.com SIP/2.0", "OPTIONS", "ruri-scheme-mailto" },
			{ "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0", "OPTIONS",
			  "ruri-scheme-unknown" },
			{ "MESSAGE im:kalle@example.com SIP/2.0", "MESSAGE", "ruri-scheme-im" },
			{ "OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0", "OPTIONS", "ruri-scheme-dot" },
			{ "OPTIONS h323+x-1.2:bob@example.com SIP/2.0", "OPTIONS", "ruri-scheme-plus-digits" },
		};
		for (size_t i = 0; i < sizeof(sch) / sizeof(sch[0]); i++) {
			tmpl(&b, T_UDP4, sch[i].start, sch[i].method, 0, NULL,
			     strcmp(sch[i].method, "INVITE") ? NULL : sdp_v4, CL_AUTO);
			add(SET_INVALID, T_UDP4, sch[i].name, "drop bad-uri-scheme", PASS, b.p, b.len,
			    "well-formed scheme (RFC 3986 3.1): pbx keeps its list, edge takes any");
			b.len = 0;
		}
	}
	/* not a scheme at all: every profile drops */
	tmpl(&b, T_UDP4, "INVITE <sip:bob@example.com> SIP/2.0", "INVITE", 0, NULL, sdp_v4, CL_AUTO);
	invalid(T_UDP4, "ruri-in-angle-brackets", "bad-uri-scheme", &b, "RFC 4475 3.1.2.7 ltgtruri");
	tmpl(&b, T_UDP4, "OPTIONS 1sip:bob@example.com SIP/2.0", "OPTIONS", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "ruri-scheme-digit-first", "bad-uri-scheme", &b, "scheme = ALPHA *( ALPHA / DIGIT / + - . )");
	tmpl(&b, T_UDP4, "OPTIONS si_p:bob@example.com SIP/2.0", "OPTIONS", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "ruri-scheme-underscore", "bad-uri-scheme", &b, NULL);
	tmpl(&b, T_UDP4, "OPTIONS bob@example.com SIP/2.0", "OPTIONS", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "ruri-no-scheme", "bad-uri-scheme", &b, NULL);

	/* mandatory headers */
	req(&b, T_UDP4, "INVITE", O_VIA, NULL, sdp_v4);
	invalid(T_UDP4, "missing-via", "missing-header", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_FROM, NULL, sdp_v4);
	invalid(T_UDP4, "missing-from", "missing-header", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_TO, NULL, sdp_v4);
	invalid(T_UDP4, "missing-to", "missing-header", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_CALLID, NULL, sdp_v4);
	invalid(T_UDP4, "missing-call-id", "missing-header", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_CSEQ, NULL, sdp_v4);
	invalid(T_UDP4, "missing-cseq", "missing-header", &b, NULL);
	tmpl(&b, T_UDP4, "SIP/2.0 200 OK", "INVITE", O_CALLID, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "response-missing-call-id", "missing-header", &b, NULL);

	/* duplicated single-valued headers */
	req(&b, T_UDP4, "INVITE", 0, "From: <sip:mallory@example.com>;tag=dup\r\n", sdp_v4);
	invalid(T_UDP4, "duplicate-from", "duplicate-header", &b, NULL);
	req(&b, T_UDP4, "INVITE", 0, "t: <sip:carol@example.com>\r\n", sdp_v4);
	invalid(T_UDP4, "duplicate-to-compact", "duplicate-header", &b, "To and t:");
	req(&b, T_UDP4, "INVITE", 0, "Call-ID: other-call@pc33.example.com\r\n", sdp_v4);
	invalid(T_UDP4, "duplicate-call-id", "duplicate-header", &b, NULL);
	req(&b, T_UDP4, "BYE", 0, "CSeq: 999 BYE\r\n", NULL);
	invalid(T_UDP4, "duplicate-cseq", "duplicate-header", &b, NULL);
	req(&b, T_UDP4, "INFO", O_CTYPE, "Content-Type: text/plain\r\nContent-Length: 5\r\n", "Hello");
	invalid(T_UDP4, "duplicate-content-length", "duplicate-header", &b, "both say 5");

	/* CSeq */
	req(&b, T_UDP4, "INVITE", O_CSEQ, "CSeq: 2147483648 INVITE\r\n", sdp_v4);
	invalid(T_UDP4, "cseq-2147483648", "bad-cseq", &b, "2^31");
	req(&b, T_UDP4, "INVITE", O_CSEQ, "CSeq: abc INVITE\r\n", sdp_v4);
	invalid(T_UDP4, "cseq-not-numeric", "bad-cseq", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_CSEQ, "CSeq: -1 INVITE\r\n", sdp_v4);
	invalid(T_UDP4, "cseq-negative", "bad-cseq", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_CSEQ, "CSeq: 1\r\n", sdp_v4);
	invalid(T_UDP4, "cseq-no-method", "bad-cseq", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_CSEQ, "CSeq: 1 BYE\r\n", sdp_v4);
	invalid(T_UDP4, "cseq-method-mismatch", "cseq-method", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_CSEQ, "CSeq: 1 invite\r\n", sdp_v4);
	invalid(T_UDP4, "cseq-method-case", "cseq-method", &b, "methods are case-sensitive");

	/* Max-Forwards */
	req(&b, T_UDP4, "OPTIONS", O_MAXFWD, "Max-Forwards: 256\r\n", NULL);
	invalid(T_UDP4, "max-forwards-256", "bad-max-forwards", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", O_MAXFWD, "Max-Forwards: seventy\r\n", NULL);
	invalid(T_UDP4, "max-forwards-not-numeric", "bad-max-forwards", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", O_MAXFWD, "Max-Forwards: 99999999999\r\n", NULL);
	invalid(T_UDP4, "max-forwards-huge", "bad-max-forwards", &b, NULL);

	/* Content-Length / Content-Type */
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.com SIP/2.0", "INVITE", O_CLEN,
	     "Content-Length: abc\r\n", sdp_v4, CL_AUTO);
	invalid(T_UDP4, "content-length-not-numeric", "bad-content-length", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.com SIP/2.0", "INVITE", O_CLEN,
	     "Content-Length: -5\r\n", sdp_v4, CL_AUTO);
	invalid(T_UDP4, "content-length-negative", "bad-content-length", &b, NULL);
	tmpl(&b, T_UDP4, "INVITE sip:bob@example.com SIP/2.0", "INVITE", 0, NULL, sdp_v4,
	     (long)strlen(sdp_v4) + 100);
	invalid(T_UDP4, "content-length-beyond-wire", "bad-content-length", &b, "100 bytes missing");
	tmpl(&b, T_UDP4, "BYE sip:bob@example.com SIP/2.0", "BYE", 0, NULL, NULL, 10);
	invalid(T_UDP4, "content-length-no-body", "bad-content-length", &b, NULL);
	req(&b, T_UDP4, "INVITE", O_CTYPE, NULL, sdp_v4);
	invalid(T_UDP4, "body-without-content-type", "missing-content-type", &b, NULL);

	/* forbidden bytes */
	req(&b, T_UDP4, "OPTIONS", 0, "Subject: nul\x01-here\r\n", NULL);
	s = memchr(b.p, 0x01, b.len);
	*s = 0;
	invalid(T_UDP4, "nul-in-header", "forbidden-bytes", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", 0, "Subject: bare\rCR\r\n", NULL);
	invalid(T_UDP4, "bare-cr-in-header", "forbidden-bytes", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", 0, "Subject: ctl\x01here\r\n", NULL);
	invalid(T_UDP4, "control-0x01-in-header", "forbidden-bytes", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", 0, "User-Agent: esc\x1b[31mred\r\n", NULL);
	invalid(T_UDP4, "escape-0x1b-in-header", "forbidden-bytes", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", 0, "Subject: del\x7fhere\r\n", NULL);
	invalid(T_UDP4, "del-0x7f-in-header", "forbidden-bytes", &b, NULL);

	/* products' quirks the shipped profiles keep dropping (opt-ins:
	 * allow_control_bytes, allow_cr_cr_lf; t_check_basic) */
	req(&b, T_UDP4, "BYE", O_TO, "To: <sip:bob@example.com>;tag=a\x01\x02b\r\n", NULL);
	invalid(T_UDP4, "control-bytes-in-to-tag", "forbidden-bytes", &b,
		"an enterprise PBX's To tags (issue 17): allow_control_bytes = yes passes them");
	tmpl(&b, T_UDP4, "SIP/2.0 481 Call/Transaction Does Not Exist", "BYE", O_TO,
	     "To: <sip:bob@example.com>;tag=a\x01\x02b\r\n", NULL, CL_AUTO);
	invalid(T_UDP4, "control-bytes-in-to-tag-481", "forbidden-bytes", &b,
		"the SBC's 481 echoing them");
	req(&b, T_UDP4, "OPTIONS", 0, NULL, NULL);
	{
		/* every CRLF becomes CR CR LF */
		struct sb c = { 0 };

		for (size_t i = 0; i < b.len; i++) {
			if (b.p[i] == '\r')
				sb_add(&c, "\r", 1);
			sb_add(&c, &b.p[i], 1);
		}
		free(b.p);
		b = c;
	}
	invalid(T_UDP4, "cr-cr-lf-line-ends", "forbidden-bytes", &b,
		"one UA's line ends (issue 17): allow_cr_cr_lf = yes passes them");
	req(&b, T_UDP4, "OPTIONS", 0, "Subject: \"BEL:\\\x07 DEL:\\\x7f\"\r\n", NULL);
	invalid(T_UDP4, "quoted-pair-control-bytes", "forbidden-bytes", &b,
		"RFC 3261 25.1 quoted-pairs, RFC 4475 intmeth: allow_control_bytes = yes passes them");

	/* header syntax and framing */
	req(&b, T_UDP4, "OPTIONS", 0, "This line has no colon\r\n", NULL);
	invalid(T_UDP4, "header-without-colon", "bad-header", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", 0, ": value without a name\r\n", NULL);
	invalid(T_UDP4, "header-without-name", "bad-header", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", 0, NULL, NULL);
	b.len -= 2; /* drop the blank line */
	b.p[b.len] = 0;
	invalid(T_UDP4, "no-blank-line", "truncated", &b, NULL);
	req(&b, T_UDP4, "OPTIONS", 0, NULL, NULL);
	b.len -= 4; /* cut inside the last line */
	b.p[b.len] = 0;
	invalid(T_UDP4, "cut-inside-header-line", "truncated", &b, NULL);

	/* sizes */
	s = rep('a', 496); /* sip: + 496 + @example.com = 512, every profile's max_uri */
	if (asprintf(&line, "OPTIONS sip:%s@example.com SIP/2.0", s) < 0)
		abort();
	tmpl(&b, T_UDP4, line, "OPTIONS", 0, NULL, NULL, CL_AUTO);
	free(line);
	free(s);
	valid(T_UDP4, "ruri-512-bytes", &b, "R-URI exactly at the limit (the URI scan goes 8 bytes at a time)");
	/* Request-Line = Method SP Request-URI SP SIP-Version CRLF: one SP each,
	 * nothing after the version (RFC 4475 3.1.2.9 lwsstart, 3.1.2.10 trws) */
	{
		static const char *const rl[][2] = {
			{ "OPTIONS   sip:carol@example.com   SIP/2.0", "request-line-runs-of-spaces" },
			{ "INVITE  sip:user@example.com  SIP/2.0", "request-line-lwsstart" },
			{ "OPTIONS sip:carol@example.com SIP/2.0  ", "request-line-trailing-spaces" },
			{ "OPTIONS sip:carol@example.com SIP/2.0\t", "request-line-trailing-tab" },
			{ "OPTIONS\tsip:carol@example.com SIP/2.0", "request-line-tab-after-method" },
			{ "OPTIONS sip:carol@example.com\tSIP/2.0", "request-line-tab-before-version" },
			{ "OPTIONS sip:carol@example.com  SIP/2.0", "request-line-2-sp-before-version" },
		};
		for (size_t i = 0; i < sizeof(rl) / sizeof(rl[0]); i++) {
			tmpl(&b, T_UDP4, rl[i][0], "OPTIONS", 0, NULL, NULL, CL_AUTO);
			if (!strncmp(rl[i][0], "INVITE", 6)) {
				b.len = 0; /* the CSeq method is INVITE here */
				tmpl(&b, T_UDP4, rl[i][0], "INVITE", 0, NULL, sdp_v4, CL_AUTO);
			}
			invalid(T_UDP4, rl[i][1], "bad-start-line", &b,
				"RFC 3261 25.1: Method SP Request-URI SP SIP-Version CRLF");
		}
	}
	tmpl(&b, T_UDP4, "OPTIONS sip:carol@example.com SIP/2.01", "OPTIONS", 0, NULL, NULL, CL_AUTO);
	invalid(T_UDP4, "version-2.01-request", "bad-version", &b, NULL);
	s = rep('a', 600);
	if (asprintf(&line, "OPTIONS sip:%s@example.com SIP/2.0", s) < 0)
		abort();
	tmpl(&b, T_UDP4, line, "OPTIONS", 0, NULL, NULL, CL_AUTO);
	free(line);
	free(s);
	invalid(T_UDP4, "ruri-600-bytes", "too-large", &b, "R-URI over 512");
	s = rep('a', 1100);
	if (asprintf(&line, "OPTIONS sip:%s@example.com SIP/2.0", s) < 0)
		abort();
	tmpl(&b, T_UDP4, line, "OPTIONS", 0, NULL, NULL, CL_AUTO);
	free(line);
	free(s);
	invalid(T_UDP4, "ruri-1100-bytes", "too-large", &b, "R-URI over any profile's limit (1024 hard cap)");
	s = rep('b', 2100);
	if (asprintf(&line, "X-Huge: %s\r\n", s) < 0)
		abort();
	req(&b, T_UDP4, "OPTIONS", 0, line, NULL);
	free(line);
	free(s);
	invalid(T_UDP4, "header-line-2100-bytes", "too-large", &b, "one line over 2048");

	/* not SIP at all */
	{
		uint32_t x = 0x5eed1234;

		for (int k = 0; k < 2; k++) {
			char buf[300];
			size_t n = 120 + 150 * k;

			for (size_t i = 0; i < n; i++) {
				x = x * 1664525u + 1013904223u;
				buf[i] = (char)(x >> 24);
			}
			buf[0] = (char)0xfe; /* neither CR/LF nor a token: never a start line */
			buf[4] = 0;          /* never a STUN magic cookie */
			sb_add(&b, buf, n);
			invalid(T_UDP4, k ? "random-binary-270" : "random-binary-120", "not-sip", &b,
				"LCG seed 0x5eed1234");
		}
	}

	/* not text keep-alives: too long, a control byte, UTF-8 */
	sb_s(&b, "0123456789abcdefg");
	invalid(T_UDP4, "text-17-bytes", "not-sip", &b, "text keep-alives are at most 16 bytes");
	sb_add(&b, "hello\x01", 6);
	invalid(T_UDP4, "text-with-control-byte", "not-sip", &b, NULL);
	sb_s(&b, "h\xc3\xa9llo");
	invalid(T_UDP4, "text-utf8", "not-sip", &b, "printable ASCII only");

	/* a few over TCP and IPv6 */
	req(&b, T_TCP4, "INVITE", O_CSEQ, "CSeq: 1 INVITE\r\nCSeq: 2 INVITE\r\n", sdp_v4);
	invalid(T_TCP4, "tcp-duplicate-cseq", "duplicate-header", &b, NULL);
	req(&b, T_UDP6, "INVITE", O_CSEQ, "CSeq: 4294967296 INVITE\r\n", sdp_v4);
	invalid(T_UDP6, "udp6-cseq-2^32", "bad-cseq", &b, NULL);
	req(&b, T_TCP6, "OPTIONS", O_FROM, NULL, NULL);
	invalid(T_TCP6, "tcp6-missing-from", "missing-header", &b, NULL);
	tmpl(&b, T_UDP6, "OPTIONS sip:bob@[2001:db8::10] SIP/2.0", "OPTIONS", O_MAXFWD,
	     "Max-Forwards: 300\r\n", NULL, CL_AUTO);
	invalid(T_UDP6, "udp6-max-forwards-300", "bad-max-forwards", &b, NULL);
}

/* ---- pcap --------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet + IP + UDP/TCP frame around V's payload; returns its length. */
static size_t frame(const struct vec *v, uint8_t *out, uint32_t seq, int syn)
{
	static const uint8_t eth[12] = { 0x02, 0, 0, 0, 0, 0x10, 0x02, 0, 0, 0, 0, 0x20 };
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x20 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	int tcp = v->tr == T_TCP4 || v->tr == T_TCP6, v6 = is_v6(v->tr);
	size_t l3 = 14, l4 = l3 + (v6 ? 40 : 20), l4len = (tcp ? 20 : 8) + (syn ? 0 : v->len), pl;
	uint8_t *ip = out + l3, *t = out + l4;
	uint32_t sum;

	memcpy(out, eth, 12);
	put16(out + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = tcp ? 6 : 17;
		ip[7] = 64;
		memcpy(ip + 8, s6, 16);
		memcpy(ip + 24, d6, 16);
	} else {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, (uint16_t)(seq & 0xffff));
		ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = tcp ? 6 : 17;
		ip[12] = 198; ip[13] = 51; ip[14] = 100; ip[15] = 20;
		ip[16] = 192; ip[17] = 0; ip[18] = 2; ip[19] = 10;
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	}
	memset(t, 0, tcp ? 20 : 8);
	/* each TCP vector is a stream of its own: its own source port, opened
	 * by a SYN (syn) one sequence number before its data */
	put16(t, tcp ? (uint16_t)(20000 + v->index) : 5060);
	put16(t + 2, 5060);
	pl = tcp ? 20 : 8;
	if (tcp) {
		put32(t + 4, 1000 + seq * 65536u - (syn ? 1 : 0));
		put32(t + 8, 1);
		t[12] = 5 << 4;
		t[13] = syn ? 0x02 : 0x18; /* SYN, or PSH|ACK */
		put16(t + 14, 65535);
	} else {
		put16(t + 4, (uint16_t)l4len);
	}
	if (!syn)
		memcpy(t + pl, v->data, v->len);
	/* IPv4/UDP: checksum 0 (none); TCP and IPv6/UDP need a real one */
	if (tcp || v6) {
		uint8_t ph[40];
		size_t phl;

		memset(ph, 0, sizeof(ph));
		if (v6) {
			memcpy(ph, ip + 8, 32);
			put32(ph + 32, (uint32_t)l4len);
			ph[39] = tcp ? 6 : 17;
			phl = 40;
		} else {
			memcpy(ph, ip + 12, 8);
			ph[9] = 6;
			put16(ph + 10, (uint16_t)l4len);
			phl = 12;
		}
		sum = csum_add(csum_add(0, ph, phl), t, l4len);
		put16(t + (tcp ? 16 : 6), csum_fold(sum) ? csum_fold(sum) : (tcp ? 0 : 0xffff));
	}
	return l4 + l4len;
}

static void write_pcap(const char *path, int set)
{
	FILE *f = fopen(path, "wb");
	uint8_t gh[24] = { 0 }, rh[16];
	static uint8_t buf[70000];
	int idx = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	/* little-endian pcap 2.4, microseconds, snaplen 65535, Ethernet */
	gh[0] = 0xd4; gh[1] = 0xc3; gh[2] = 0xb2; gh[3] = 0xa1;
	gh[4] = 2; gh[6] = 4;
	gh[16] = 0xff; gh[17] = 0xff;
	gh[20] = 1;
	fwrite(gh, 1, 24, f);
	for (int i = 0; i < nvecs; i++) {
		struct vec *v = &vecs[i];
		size_t n;
		uint32_t ts = 1767225600u + (uint32_t)idx, len;

		if (v->set != set)
			continue;
		if (v->tr == T_TCP4 || v->tr == T_TCP6) {
			v->syn_index = ++idx;
			v->index = idx + 1; /* the SYN's source port is the data's */
			n = frame(v, buf, (uint32_t)idx + 1, 1);
			len = (uint32_t)n;
			memcpy(rh, &ts, 4);
			memset(rh + 4, 0, 4);
			memcpy(rh + 8, &len, 4);
			memcpy(rh + 12, &len, 4);
			fwrite(rh, 1, 16, f);
			fwrite(buf, 1, n, f);
			ts++;
		}
		v->index = ++idx;
		n = frame(v, buf, (uint32_t)idx, 0);
		len = (uint32_t)n;
		memcpy(rh, &ts, 4);
		memset(rh + 4, 0, 4);
		memcpy(rh + 8, &len, 4);
		memcpy(rh + 12, &len, 4);
		fwrite(rh, 1, 16, f);
		fwrite(buf, 1, n, f);
	}
	if (fclose(f)) {
		fprintf(stderr, "%s: write failed\n", path);
		exit(1);
	}
}

/* ---- manifests and summary --------------------------------------------- */

static const char *tr_label(int tr)
{
	static const char *const n[] = { "udp4", "tcp4", "udp6", "tcp6" };
	return n[tr];
}

/* osip2 agrees when it accepts what sipguard passes as SIP and rejects
 * what sipguard drops; keep-alives are not SIP messages (n/a). */
static const char *agreement(const struct vec *v)
{
	int osip_ok = !strcmp(v->osip, "ok");

	if (strstr(v->pbx, "keepalive"))
		return "n/a";
	if (!strncmp(v->pbx, "pass", 4) && !strncmp(v->edge, "pass", 4))
		return osip_ok ? "agree" : "DIFF osip2 rejects what sipguard passes";
	if (!strncmp(v->pbx, "drop", 4) && !strncmp(v->edge, "drop", 4))
		return osip_ok ? "DIFF osip2 accepts what sipguard drops" : "agree";
	return osip_ok ? "agree-with-edge" : "agree-with-pbx";
}

static void comment(FILE *f, const struct vec *v)
{
	const char *a = agreement(v);

	fprintf(f, "# %d %s osip2=%s%s %s%s%s%s%s%s%s%s\n", v->index, v->name, v->osip,
		v->by_osip ? " built-by-osip2" : "", tr_label(v->tr),
		strncmp(a, "DIFF", 4) ? "" : " ", strncmp(a, "DIFF", 4) ? "" : a,
		v->osip_log[0] ? " [osip2: " : "", v->osip_log, v->osip_log[0] ? "]" : "",
		v->note ? " -- " : "", v->note ? v->note : "");
}

static FILE *open_manifest(const char *dir, const char *name, const char *capture,
			   const char *profiles, const char *dflt)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	fprintf(f, "# generated by gen_vectors (osip2 %s): do not edit\n", SG_OSIP2_VERSION);
	fprintf(f, "capture %s\nprofiles %s\n", capture, profiles);
	if (dflt)
		fprintf(f, "default %s\n", dflt);
	else
		fprintf(f, "# no default: packets not listed here are judged by another manifest\n");
	return f;
}

int main(int argc, char **argv)
{
	const char *dir;
	char path[4096];
	FILE *fv, *fi, *fp, *fe;
	int n_valid = 0, n_invalid = 0, diffs = 0, agree = 0;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return 1;
	}
	parser_init();
	osip_trace_initialize_func(END_TRACE_LEVEL, sg_osip_trace);
	gen_valid();
	gen_invalid();
	for (int i = 0; i < nvecs; i++)
		osip_verdict(&vecs[i]);

	snprintf(path, sizeof(path), "%s/vectors-valid.pcap", dir);
	write_pcap(path, SET_VALID);
	snprintf(path, sizeof(path), "%s/vectors-invalid.pcap", dir);
	write_pcap(path, SET_INVALID);

	fv = open_manifest(dir, "vectors-valid.manifest", "vectors-valid.pcap", "pbx edge", PASS);
	fi = open_manifest(dir, "vectors-invalid.manifest", "vectors-invalid.pcap", "pbx edge", NULL);
	fp = open_manifest(dir, "vectors-invalid-pbx.manifest", "vectors-invalid.pcap", "pbx", NULL);
	fe = open_manifest(dir, "vectors-invalid-edge.manifest", "vectors-invalid.pcap", "edge", NULL);
	for (int i = 0; i < nvecs; i++) {
		struct vec *v = &vecs[i];
		const char *a = agreement(v);

		if (!strncmp(a, "DIFF", 4))
			diffs++;
		else if (!strncmp(a, "agree", 5))
			agree++;
		if (v->syn_index) {
			FILE *fs = v->set == SET_VALID ? fv : !strcmp(v->pbx, v->edge) ? fi : NULL;

			if (fs)
				fprintf(fs, "%d pass tcp-control\n", v->syn_index);
			else {
				fprintf(fp, "%d pass tcp-control\n", v->syn_index);
				fprintf(fe, "%d pass tcp-control\n", v->syn_index);
			}
		}
		if (v->set == SET_VALID) {
			n_valid++;
			comment(fv, v);
			if (strcmp(v->pbx, PASS))
				fprintf(fv, "%d %s\n", v->index, v->pbx);
			continue;
		}
		n_invalid++;
		if (!strcmp(v->pbx, v->edge)) {
			comment(fi, v);
			fprintf(fi, "%d %s\n", v->index, v->pbx);
		} else {
			comment(fp, v);
			fprintf(fp, "%d %s\n", v->index, v->pbx);
			comment(fe, v);
			fprintf(fe, "%d %s\n", v->index, v->edge);
		}
	}
	fclose(fv);
	fclose(fi);
	fclose(fp);
	fclose(fe);

	/* summary: counts per label, osip2 agreement */
	printf("gen_vectors (osip2 %s): %d valid, %d invalid vectors in %s\n", SG_OSIP2_VERSION,
	       n_valid, n_invalid, dir);
	printf("%-44s %5s %6s %6s\n", "label (pbx / edge)", "count", "osip2ok", "agree");
	for (int i = 0; i < nvecs; i++) {
		char label[128];
		int seen = 0, cnt = 0, ok = 0, ag = 0;

		snprintf(label, sizeof(label), "%s%s%s", vecs[i].pbx,
			 strcmp(vecs[i].pbx, vecs[i].edge) ? " / " : "",
			 strcmp(vecs[i].pbx, vecs[i].edge) ? vecs[i].edge : "");
		for (int j = 0; j < i; j++)
			if (!strcmp(vecs[j].pbx, vecs[i].pbx) && !strcmp(vecs[j].edge, vecs[i].edge))
				seen = 1;
		if (seen)
			continue;
		for (int j = i; j < nvecs; j++) {
			if (strcmp(vecs[j].pbx, vecs[i].pbx) || strcmp(vecs[j].edge, vecs[i].edge))
				continue;
			cnt++;
			ok += !strcmp(vecs[j].osip, "ok");
			ag += !strncmp(agreement(&vecs[j]), "agree", 5);
		}
		printf("%-44s %5d %6d %6d\n", label, cnt, ok, ag);
	}
	printf("osip2 agreement: %d agree, %d disagree, %d n/a\n", agree, diffs,
	       nvecs - agree - diffs);
	for (int i = 0; i < nvecs; i++) {
		const char *a = agreement(&vecs[i]);

		if (!strncmp(a, "DIFF", 4))
			printf("  %s #%d %s: osip2=%s, sipguard %s (%s)\n",
			       vecs[i].set == SET_VALID ? "valid" : "invalid", vecs[i].index,
			       vecs[i].name, vecs[i].osip, vecs[i].pbx, a + 5);
	}
	return 0;
}
