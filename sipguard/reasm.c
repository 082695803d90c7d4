// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* IP reassembly of a capture's fragments (reasm.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

#define SG_REASM_MAX 65535

struct frag {
	unsigned long idx;
	unsigned int off, len;       /* in the fragmentable part */
	bool last;                   /* no more fragments after it */
	__u8 *data;
};

struct datagram {
	bool v6, used;
	__u8 key[40];                /* addresses, id, protocol */
	__u8 head[SG_REASM_MAX];     /* the unfragmentable part of fragment 0 */
	unsigned int head_len;
	unsigned int next_off;       /* IPv6: offset of the next-header byte to patch */
	__u8 next_hdr;               /* IPv6: the fragment header's next header */
	struct frag *f;
	size_t n, cap;
};

struct sg_reasm {
	struct datagram *d;
	size_t n, cap;
	__u8 out[SG_REASM_MAX + 64];
	unsigned long *members;
	size_t n_members;
};

struct sg_reasm *sg_reasm_new(void)
{
	return calloc(1, sizeof(struct sg_reasm));
}

static void dgram_clear(struct datagram *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->f[i].data);
	free(d->f);
	d->f = NULL;
	d->n = d->cap = 0;
	d->used = false;
}

void sg_reasm_free(struct sg_reasm *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		dgram_clear(&r->d[i]);
	free(r->d);
	free(r->members);
	free(r);
}

static bool ext_hdr(__u8 nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 44 || nh == 51;
}

/* The IPv6 fragment header's offset (-1: none) and the offset of the byte
 * naming it (the next-header field that points at it). */
static int v6_frag_hdr(const __u8 *p, size_t len, unsigned int *prev_nh)
{
	unsigned int off = 40, nh_at = 6;
	__u8 nh;

	if (len < 40)
		return -1;
	nh = p[6];
	for (int k = 0; k < 64 && ext_hdr(nh); k++) {
		if (nh == 44) {
			if (off + 8 > len)
				return -1;
			*prev_nh = nh_at;
			return (int)off;
		}
		if (off + 8 > len)
			return -1;
		nh_at = off;
		nh = p[off];
		off += nh == 51 ? ((unsigned int)p[off + 1] + 2) * 4 : ((unsigned int)p[off + 1] + 1) * 8;
	}
	return -1;
}

int sg_l4_port(const __u8 *p, size_t len, __u8 *proto, __u16 *dport)
{
	unsigned int off;
	__u8 nh;

	if (len < 20)
		return -1;
	if ((p[0] >> 4) == 4) {
		if ((((unsigned int)p[6] << 8 | p[7]) & 0x1fff))
			return -1; /* a later fragment: no transport header */
		off = (p[0] & 0xf) * 4u;
		nh = p[9];
	} else if ((p[0] >> 4) == 6) {
		if (len < 40)
			return -1;
		off = 40;
		nh = p[6];
		for (int k = 0; ext_hdr(nh); k++) {
			if (k > 256 || off + 8 > len)
				return -1;
			if (nh == 44 && (((unsigned int)p[off + 2] << 8 | p[off + 3]) & 0xfff8))
				return -1;
			__u8 next = p[off];

			off += nh == 51 ? ((unsigned int)p[off + 1] + 2) * 4
				: nh == 44 ? 8 : ((unsigned int)p[off + 1] + 1) * 8;
			nh = next;
		}
	} else {
		return -1;
	}
	*proto = nh;
	if ((nh != 6 && nh != 17) || off + 4 > len)
		return -1;
	*dport = (__u16)(p[off + 2] << 8 | p[off + 3]);
	return 0;
}

static struct datagram *find(struct sg_reasm *r, bool v6, const __u8 *key)
{
	struct datagram *free_d = NULL;

	for (size_t i = 0; i < r->n; i++) {
		struct datagram *d = &r->d[i];

		if (d->used && d->v6 == v6 && !memcmp(d->key, key, sizeof(d->key)))
			return d;
		if (!d->used && !free_d)
			free_d = d;
	}
	if (!free_d) {
		if (r->n == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : 8;
			struct datagram *nd = realloc(r->d, nc * sizeof(*nd));

			if (!nd)
				return NULL;
			memset(nd + r->cap, 0, (nc - r->cap) * sizeof(*nd));
			r->d = nd;
			r->cap = nc;
		}
		free_d = &r->d[r->n++];
	}
	memset(free_d, 0, sizeof(*free_d));
	free_d->used = true;
	free_d->v6 = v6;
	memcpy(free_d->key, key, sizeof(free_d->key));
	return free_d;
}

static int set_members(struct sg_reasm *r, struct datagram *d)
{
	free(r->members);
	r->members = malloc((d->n ? d->n : 1) * sizeof(*r->members));
	if (!r->members)
		return -1;
	for (size_t i = 0; i < d->n; i++)
		r->members[i] = d->f[i].idx;
	r->n_members = d->n;
	return 0;
}

static int cmp_frag(const void *a, const void *b)
{
	const struct frag *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

int sg_reasm_feed(struct sg_reasm *r, unsigned long idx, const __u8 *p, size_t len,
		  const __u8 **out, size_t *out_len, const unsigned long **members, size_t *n)
{
	__u8 key[40] = { 0 };
	unsigned int off, flen, hlen, prev_nh = 0;
	bool v6, more, overlap = false;
	struct datagram *d;
	struct frag *f;
	const __u8 *data;
	int fh;

	if (len < 20)
		return SG_REASM_NONE;
	if ((p[0] >> 4) == 4) {
		unsigned int fo = (unsigned int)p[6] << 8 | p[7], tot = (unsigned int)p[2] << 8 | p[3];

		if (!(fo & 0x3fff))
			return SG_REASM_NONE;
		v6 = false;
		hlen = (p[0] & 0xf) * 4u;
		if (hlen < 20 || tot < hlen || tot > len)
			return SG_REASM_NONE;
		off = (fo & 0x1fff) * 8;
		more = fo & 0x2000;
		data = p + hlen;
		flen = tot - hlen;
		memcpy(key, p + 12, 8);   /* addresses */
		memcpy(key + 8, p + 4, 2); /* id */
		key[10] = p[9];            /* protocol */
	} else if ((p[0] >> 4) == 6) {
		unsigned int plen, fo;

		fh = v6_frag_hdr(p, len, &prev_nh);
		if (fh < 0)
			return SG_REASM_NONE;
		v6 = true;
		plen = (unsigned int)p[4] << 8 | p[5];
		if (plen + 40 > len || (unsigned int)fh + 8 > plen + 40)
			return SG_REASM_NONE;
		fo = (unsigned int)p[fh + 2] << 8 | p[fh + 3];
		off = fo & 0xfff8;
		more = fo & 1;
		hlen = (unsigned int)fh;
		data = p + fh + 8;
		flen = plen + 40 - (unsigned int)fh - 8;
		memcpy(key, p + 8, 32);     /* addresses */
		memcpy(key + 32, p + fh + 4, 4); /* id */
	} else {
		return SG_REASM_NONE;
	}
	d = find(r, v6, key);
	if (!d)
		return SG_REASM_NONE;
	for (size_t i = 0; i < d->n; i++) {
		struct frag *g = &d->f[i];

		if (g->off == off && g->len == flen && g->last == !more)
			return SG_REASM_HELD; /* an exact duplicate: ignored, as Linux does */
		if (off < g->off + g->len && g->off < off + flen)
			overlap = true;
	}
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 4;
		struct frag *nf = realloc(d->f, nc * sizeof(*nf));

		if (!nf)
			return SG_REASM_NONE;
		d->f = nf;
		d->cap = nc;
	}
	f = &d->f[d->n++];
	f->idx = idx;
	f->off = off;
	f->len = flen;
	f->last = !more;
	f->data = malloc(flen ? flen : 1);
	if (f->data)
		memcpy(f->data, data, flen);
	if (off == 0) {
		memcpy(d->head, p, hlen);
		d->head_len = hlen;
		d->next_off = prev_nh;
		d->next_hdr = v6 ? p[hlen] : 0;
	}
	if (overlap || off + flen > SG_REASM_MAX - 64) {
		set_members(r, d);
		dgram_clear(d);
		*members = r->members;
		*n = r->n_members;
		return SG_REASM_DISCARDED;
	}
	/* whole? fragment 0 there, the last one there, no hole between */
	qsort(d->f, d->n, sizeof(*d->f), cmp_frag);
	{
		unsigned int end = 0;
		bool whole = d->head_len && d->f[0].off == 0;

		for (size_t i = 0; whole && i < d->n; i++) {
			if (d->f[i].off != end)
				whole = false;
			end = d->f[i].off + d->f[i].len;
			if (d->f[i].last && i + 1 != d->n)
				whole = false;
		}
		if (!whole || !d->f[d->n - 1].last)
			return SG_REASM_HELD;
		if (d->head_len + end > sizeof(r->out))
			return SG_REASM_HELD;
		memcpy(r->out, d->head, d->head_len);
		for (size_t i = 0; i < d->n; i++)
			memcpy(r->out + d->head_len + d->f[i].off, d->f[i].data, d->f[i].len);
		if (v6) {
			unsigned int pl = d->head_len + end - 40;

			r->out[d->next_off] = d->next_hdr; /* the fragment header is gone */
			r->out[4] = (__u8)(pl >> 8);
			r->out[5] = (__u8)pl;
		} else {
			unsigned int tot = d->head_len + end;

			r->out[2] = (__u8)(tot >> 8);
			r->out[3] = (__u8)tot;
			r->out[6] = r->out[7] = 0;
		}
		*out = r->out;
		*out_len = d->head_len + end;
		set_members(r, d);
		dgram_clear(d);
		*members = r->members;
		*n = r->n_members;
		return SG_REASM_DONE;
	}
}

void sg_reasm_incomplete(struct sg_reasm *r, void (*fn)(void *arg, unsigned long idx), void *arg)
{
	for (size_t i = 0; i < r->n; i++) {
		struct datagram *d = &r->d[i];

		if (!d->used)
			continue;
		for (size_t k = 0; k < d->n; k++)
			fn(arg, d->f[k].idx);
		dgram_clear(d);
	}
}
