// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* etcd v3 through its JSON gateway (etcd.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "etcd.h"
#include "log.h"

/* ---------------------------------------------------------------- base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *sg_b64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = 0;
	return out;
}

static int b64_val(char c)
{
	const char *s = c ? strchr(b64, c) : NULL;

	return s ? (int)(s - b64) : -1;
}

char *sg_b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), k = 0;
	char *out;
	uint32_t acc = 0;
	int bits = 0;

	if (n % 4)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int v;

		if (s[i] == '=') {
			if (i < n - 2 || (i == n - 2 && s[n - 1] != '='))
				goto bad;
			break;
		}
		v = b64_val(s[i]);
		if (v < 0)
			goto bad;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[k] = 0;
	*len = k;
	return out;
bad:
	free(out);
	return NULL;
}

/* ---------------------------------------------------------------- set-up */

int sg_etcd_init(struct sg_etcd *e, const char *urls, const char *prefix)
{
	char buf[2048], *tok, *save = NULL, end[sizeof(e->prefix)];
	size_t n;

	memset(e, 0, sizeof(*e));
	e->timeout_ms = 5000;
	if (strlen(urls) >= sizeof(buf)) {
		pr_warn("--etcd: too long\n");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", urls);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		size_t l = strlen(tok);

		while (l && tok[l - 1] == '/')
			tok[--l] = 0;
		if ((strncmp(tok, "http://", 7) && strncmp(tok, "https://", 8)) || l >= sizeof(e->urls[0]) ||
		    e->nurls == SG_ETCD_MAX_URLS) {
			pr_warn("--etcd '%s': expected http://HOST:PORT (up to %d, comma-separated)\n", tok,
				SG_ETCD_MAX_URLS);
			return -EINVAL;
		}
		snprintf(e->urls[e->nurls++], sizeof(e->urls[0]), "%s", tok);
	}
	if (!e->nurls) {
		pr_warn("--etcd: give an endpoint, http://HOST:PORT\n");
		return -EINVAL;
	}
	n = strlen(prefix);
	if (!n || n + 2 > sizeof(e->prefix) || strpbrk(prefix, " \t\n")) {
		pr_warn("--prefix '%s': expected a key prefix such as /sipguard/hosts/NAME/\n", prefix);
		return -EINVAL;
	}
	snprintf(e->prefix, sizeof(e->prefix), "%s%s", prefix, prefix[n - 1] == '/' ? "" : "/");
	/* the range end of a prefix: its last byte + 1 ('/' + 1 = '0') */
	snprintf(end, sizeof(end), "%s", e->prefix);
	end[strlen(end) - 1]++;
	e->key_b64 = sg_b64_encode(e->prefix, strlen(e->prefix));
	e->end_b64 = sg_b64_encode(end, strlen(end));
	if (!e->key_b64 || !e->end_b64)
		return -ENOMEM;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

void sg_etcd_free(struct sg_etcd *e)
{
	free(e->key_b64);
	free(e->end_b64);
	e->key_b64 = e->end_b64 = NULL;
}

const char *sg_etcd_url(const struct sg_etcd *e)
{
	return e->urls[e->cur % e->nurls];
}

void sg_etcd_next(struct sg_etcd *e)
{
	e->cur = (e->cur + 1) % e->nurls;
}

/* ---------------------------------------------------------------- HTTP */

struct body {
	char *buf;
	size_t len, cap;
};

static int body_add(struct body *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8192;
		char *nb;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > 64u << 20)
			return -1; /* more than etcd would send */
		nb = realloc(b->buf, cap);
		if (!nb)
			return -1;
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = 0;
	return 0;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	return body_add(arg, p, size * nmemb) ? 0 : size * nmemb;
}

/* A peer that went away without a word (network loss) is found by TCP
 * keep-alives and the user timeout: about 10 s. */
static int on_socket(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	int cnt = 3, tmo = 10000;

	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &tmo, sizeof(tmo));
	return CURL_SOCKOPT_OK;
}

static CURL *request(struct sg_etcd *e, const char *path, const char *json, struct curl_slist **hdr,
		     char *url, size_t urllen)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	snprintf(url, urllen, "%s%s", sg_etcd_url(e), path);
	*hdr = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 5L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 2L);
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, on_socket);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	return c;
}

/* The message of a gateway error object, or NULL: {"error":{"message":..}}
 * in a stream, {"error":"..","code":N,"message":".."} otherwise. */
static const char *gw_error(struct json_object *o)
{
	struct json_object *err, *msg;

	if (json_object_object_get_ex(o, "error", &err)) {
		if (json_object_object_get_ex(err, "message", &msg))
			return json_object_get_string(msg);
		return json_object_get_string(err);
	}
	if (json_object_object_get_ex(o, "code", &err) && json_object_object_get_ex(o, "message", &msg))
		return json_object_get_string(msg);
	return NULL;
}

static int64_t jint64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return 0;
	/* the gateway writes int64 as strings */
	return json_object_is_type(v, json_type_string) ? strtoll(json_object_get_string(v), NULL, 10)
						       : json_object_get_int64(v);
}

void sg_etcd_kvs_free(struct sg_etcd_kvs *kvs)
{
	for (unsigned int i = 0; i < kvs->n; i++) {
		free(kvs->v[i].key);
		free(kvs->v[i].value);
	}
	free(kvs->v);
	memset(kvs, 0, sizeof(*kvs));
}

int sg_etcd_range(struct sg_etcd *e, struct sg_etcd_kvs *out, char *err, size_t errlen)
{
	struct curl_slist *hdr = NULL;
	struct body b = { 0 };
	struct json_object *o = NULL, *header, *kvs;
	char url[512], req[2048];
	const char *gerr;
	long code = 0;
	CURLcode cr;
	CURL *c;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	snprintf(req, sizeof(req), "{\"key\":\"%s\",\"range_end\":\"%s\"}", e->key_b64, e->end_b64);
	c = request(e, "/v3/kv/range", req, &hdr, url, sizeof(url));
	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)e->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	cr = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cr != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(cr));
		rc = -EIO;
		goto out;
	}
	o = b.buf ? json_tokener_parse(b.buf) : NULL;
	if (!o || code != 200) {
		gerr = o ? gw_error(o) : NULL;
		snprintf(err, errlen, "%s: HTTP %ld: %.200s", url, code, gerr ? gerr : b.buf ? b.buf : "no answer");
		rc = -EPROTO;
		goto out;
	}
	if (!json_object_object_get_ex(o, "header", &header) || !(out->revision = jint64(header, "revision"))) {
		snprintf(err, errlen, "%s: answer without a revision: %.200s", url, b.buf);
		rc = -EPROTO;
		goto out;
	}
	if (json_object_object_get_ex(o, "kvs", &kvs) && json_object_is_type(kvs, json_type_array)) {
		size_t n = json_object_array_length(kvs);

		out->v = calloc(n + 1, sizeof(*out->v));
		if (!out->v) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			struct json_object *kv = json_object_array_get_idx(kvs, i), *k, *v;
			struct sg_etcd_kv *x = &out->v[out->n];
			size_t klen;

			if (!json_object_object_get_ex(kv, "key", &k)) {
				snprintf(err, errlen, "%s: a key without a name", url);
				rc = -EPROTO;
				goto out;
			}
			x->key = sg_b64_decode(json_object_get_string(k), &klen);
			/* an empty value is absent from the JSON */
			x->value = json_object_object_get_ex(kv, "value", &v)
					   ? sg_b64_decode(json_object_get_string(v), &x->len)
					   : strdup("");
			if (!x->key || !x->value || strlen(x->key) != klen) {
				free(x->key);
				free(x->value);
				snprintf(err, errlen, "%s: a key or value that is not base64", url);
				rc = -EPROTO;
				goto out;
			}
			x->mod_revision = jint64(kv, "mod_revision");
			out->n++;
		}
	}
out:
	if (rc)
		sg_etcd_kvs_free(out);
	if (o)
		json_object_put(o);
	free(b.buf);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return rc;
}

/* ---------------------------------------------------------------- watch */

struct watch {
	struct sg_etcd *e;
	struct body line;          /* the message being received */
	int64_t start;
	int end;                   /* enum sg_watch_end, 0 while watching */
	void (*created)(void *arg);
	char *err;
	size_t errlen;
};

/* One message of the stream: {"result":{...}} or {"error":{...}}. */
static void watch_message(struct watch *w, const char *text)
{
	struct json_object *o = json_tokener_parse(text), *res, *events, *v;
	const char *gerr;

	if (!o) {
		snprintf(w->err, w->errlen, "not JSON in the watch stream: %.200s", text);
		w->end = SG_WATCH_CLOSED;
		return;
	}
	if ((gerr = gw_error(o))) {
		snprintf(w->err, w->errlen, "watch: %.300s", gerr);
		w->end = SG_WATCH_CLOSED;
		goto out;
	}
	if (!json_object_object_get_ex(o, "result", &res))
		goto out;
	if (jint64(res, "compact_revision")) {
		snprintf(w->err, w->errlen, "revision %lld is compacted (etcd keeps from %lld)",
			 (long long)w->start, (long long)jint64(res, "compact_revision"));
		w->end = SG_WATCH_COMPACTED;
		goto out;
	}
	if (json_object_object_get_ex(res, "canceled", &v) && json_object_get_boolean(v)) {
		snprintf(w->err, w->errlen, "watch canceled by etcd");
		w->end = SG_WATCH_CLOSED;
		goto out;
	}
	if (json_object_object_get_ex(res, "created", &v) && json_object_get_boolean(v) && w->created)
		w->created(w->e->arg);
	if (json_object_object_get_ex(res, "events", &events) && json_object_array_length(events) > 0)
		w->end = SG_WATCH_CHANGED;
out:
	json_object_put(o);
}

static size_t on_stream(char *p, size_t size, size_t nmemb, void *arg)
{
	struct watch *w = arg;
	size_t n = size * nmemb;

	/* messages end with a newline */
	for (size_t i = 0; i < n && !w->end;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t k = nl ? (size_t)(nl - (p + i)) : n - i;

		if (body_add(&w->line, p + i, k))
			return 0;
		i += k;
		if (!nl)
			break;
		i++;
		if (w->line.len)
			watch_message(w, w->line.buf);
		w->line.len = 0;
	}
	return w->end ? 0 : n; /* 0 ends the transfer */
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct watch *w = arg;

	if (w->e->interrupted && w->e->interrupted(w->e->arg)) {
		w->end = SG_WATCH_INTERRUPTED;
		return 1;
	}
	return 0;
}

int sg_etcd_watch(struct sg_etcd *e, int64_t start, void (*created)(void *arg), char *err,
		  size_t errlen)
{
	struct watch w = { .e = e, .start = start, .created = created, .err = err, .errlen = errlen };
	struct curl_slist *hdr = NULL;
	char url[512], req[2048];
	long code = 0;
	CURLcode cr;
	CURL *c;

	snprintf(req, sizeof(req),
		 "{\"create_request\":{\"key\":\"%s\",\"range_end\":\"%s\",\"start_revision\":\"%lld\"}}",
		 e->key_b64, e->end_b64, (long long)start);
	c = request(e, "/v3/watch", req, &hdr, url, sizeof(url));
	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &w);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &w);
	err[0] = 0;
	cr = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	free(w.line.buf);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	if (w.end && w.end != SG_WATCH_CLOSED)
		return w.end;
	if (w.end == SG_WATCH_CLOSED)
		return -EPROTO;
	if (cr != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(cr));
		return -EIO;
	}
	if (code != 200) {
		snprintf(err, errlen, "%s: HTTP %ld", url, code);
		return -EPROTO;
	}
	snprintf(err, errlen, "%s: the watch stream ended", url);
	return SG_WATCH_CLOSED;
}
