/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* A small etcd v3 client over its JSON gateway (HTTP, libcurl, json-c):
 * the keys under a prefix at one revision (/v3/kv/range with range_end),
 * and a watch of the prefix from a revision (/v3/watch, a stream of JSON
 * messages). Keys and values are base64 in the JSON API; int64 fields
 * are strings. */
#ifndef SG_ETCD_H
#define SG_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SG_ETCD_MAX_URLS 8

struct sg_etcd {
	char urls[SG_ETCD_MAX_URLS][256];  /* endpoints, without a trailing / */
	unsigned int nurls, cur;           /* the one in use; the next after a failure */
	char prefix[512];                  /* ends with '/' */
	char *key_b64, *end_b64;           /* [prefix, range end) in base64 */
	int timeout_ms;                    /* of a request (not of a watch) */
	/* the watch stops when this returns true (checked about once a second) */
	bool (*interrupted)(void *arg);
	void *arg;
};

struct sg_etcd_kv {
	char *key;
	char *value;                       /* NUL-terminated; len bytes */
	size_t len;
	int64_t mod_revision;
};

struct sg_etcd_kvs {
	struct sg_etcd_kv *v;
	unsigned int n;
	int64_t revision;                  /* of the store when read */
};

/* URLS: one or more endpoints, comma-separated (http://HOST:PORT). PREFIX
 * gets a trailing '/' if it lacks one. Returns 0 or -EINVAL (said). */
int sg_etcd_init(struct sg_etcd *e, const char *urls, const char *prefix);
void sg_etcd_free(struct sg_etcd *e);
const char *sg_etcd_url(const struct sg_etcd *e);
/* Another endpoint for the next request (after a failure). */
void sg_etcd_next(struct sg_etcd *e);

/* Every key under the prefix, at one revision. 0 or -errno, ERR says why. */
int sg_etcd_range(struct sg_etcd *e, struct sg_etcd_kvs *out, char *err, size_t errlen);
void sg_etcd_kvs_free(struct sg_etcd_kvs *kvs);

/* What a watch saw. */
enum sg_watch_end {
	SG_WATCH_CHANGED = 1,   /* a change under the prefix at or after the start revision */
	SG_WATCH_COMPACTED,     /* the start revision is compacted away: read everything again */
	SG_WATCH_INTERRUPTED,   /* interrupted() said so */
	SG_WATCH_CLOSED,        /* the stream ended (etcd went away) */
};
/* Watches the prefix from revision START until one of the above; CREATED
 * (may be NULL) is called once etcd confirmed the watch. Returns an
 * enum sg_watch_end or -errno (ERR says why). */
int sg_etcd_watch(struct sg_etcd *e, int64_t start, void (*created)(void *arg), char *err,
		  size_t errlen);

/* base64 (RFC 4648), for the JSON API; the results are malloc'ed. */
char *sg_b64_encode(const void *data, size_t len);
/* Returns NULL if S is not base64; *LEN bytes, NUL-terminated. */
char *sg_b64_decode(const char *s, size_t *len);

#endif
