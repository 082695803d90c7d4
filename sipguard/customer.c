// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Customer files: the desired state read by `sipguard apply` and `sync`
 * (format in man/sipguard-customer.5). The same INI style as profiles
 * (profile.c): '#' or ';' comments, one [customer] section, "key = value",
 * list keys with space-separated values; errors as FILE:LINE. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "customer.h"
#include "guard.h"
#include "log.h"
#include "nft.h"
#include "profile.h"

const char *sg_list_value_error(const char *v, bool cidr)
{
	struct sg_range r;

	if (cidr && sg_cidr_parse(v, &r))
		return "not an address or CIDR";
	if (!*v || strlen(v) >= 64 || strpbrk(v, "\n\r\t "))
		return "bad value";
	return NULL;
}

int sg_attach_parse(const char *a, int *family, char *table, char *chain)
{
	char buf[512], *t, *ch;

	if (strlen(a) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", a);
	t = strchr(buf, ':');
	if (!t)
		return -1;
	*t++ = 0;
	ch = strchr(t, ':');
	if (!ch)
		return -1;
	*ch++ = 0;
	*family = sg_family_parse(buf);
	if (*family < 0 || !*t || !*ch || strlen(t) > 255 || strlen(ch) > 255)
		return -1;
	strcpy(table, t);
	strcpy(chain, ch);
	return 0;
}

/* "key = value" of the [customer] section: what the key is, how its value
 * is checked. The lists are enable's repeatable options. */
static const struct {
	const char *key;
	int list;                  /* 0 scalar, 1 list of words, 2 list of CIDRs */
} keys[] = {
	{ "profile", 0 }, { "netns", 0 }, { "hook", 0 }, { "attach", 0 }, { "mode", 0 },
	{ "own_host", 1 }, { "peer", 2 }, { "allow", 2 }, { "deny", 2 },
};
#define NKEYS (sizeof(keys) / sizeof(*keys))

static struct sg_strlist *list_of(struct sg_params *p, const char *key)
{
	if (!strcmp(key, "own_host"))
		return &p->own_hosts;
	if (!strcmp(key, "peer"))
		return &p->peers;
	if (!strcmp(key, "allow"))
		return &p->allow;
	return &p->deny;
}

static int set_scalar(const char *file, int line, struct sg_params *p, const char *key, const char *v)
{
	if (!strcmp(key, "profile")) {
		size_t l = strlen(v);

		/* a file is named by its absolute path: apply and sync run from anywhere */
		if (l >= sizeof(p->profile) || strpbrk(v, " \t") || (strchr(v, '/') && v[0] != '/') ||
		    (v[0] != '/' && l > 4 && !strcmp(v + l - 4, ".ini"))) {
			pr_file(file, line, "customer.profile: bad value '%s' (a profile name, or a file by its absolute path)", v);
			return -EINVAL;
		}
		snprintf(p->profile, sizeof(p->profile), "%s", v);
	} else if (!strcmp(key, "netns")) {
		if (strlen(v) >= sizeof(p->netns) || strpbrk(v, " \t") ||
		    (!strchr(v, '/') && (!strcmp(v, ".") || !strcmp(v, "..")))) {
			pr_file(file, line, "customer.netns: bad value '%s' (a name in /run/netns, a path, or host)", v);
			return -EINVAL;
		}
		snprintf(p->netns, sizeof(p->netns), "%s", v);
	} else if (!strcmp(key, "hook")) {
		if (!strcmp(v, "input"))
			p->hook = 0;
		else if (!strcmp(v, "forward"))
			p->hook = 1;
		else {
			pr_file(file, line, "customer.hook: bad value '%s' (input or forward)", v);
			return -EINVAL;
		}
	} else if (!strcmp(key, "mode")) {
		if (!strcmp(v, "enforce"))
			p->mode = 0;
		else if (!strcmp(v, "monitor"))
			p->mode = 1;
		else {
			pr_file(file, line, "customer.mode: bad value '%s' (enforce or monitor)", v);
			return -EINVAL;
		}
	} else { /* attach */
		char table[256], chain[256];
		int family;

		if (sg_attach_parse(v, &family, table, chain) || strlen(v) >= sizeof(p->attach)) {
			pr_file(file, line, "customer.attach: bad value '%s' (FAMILY:TABLE:CHAIN with FAMILY inet, ip or ip6)", v);
			return -EINVAL;
		}
		snprintf(p->attach, sizeof(p->attach), "%s", v);
	}
	return 0;
}

static int add_values(const char *file, int line, struct sg_params *p, const char *key, char *v,
		      bool cidr)
{
	struct sg_strlist *l = list_of(p, key);
	char *tok, *save = NULL;

	for (tok = strtok_r(v, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		const char *why = sg_list_value_error(tok, cidr);

		if (why) {
			pr_file(file, line, "customer.%s: '%s': %s", key, tok, why);
			return -EINVAL;
		}
		for (unsigned int i = 0; i < l->n; i++)
			if (!strcmp(l->v[i], tok)) {
				pr_file(file, line, "customer.%s: '%s' given twice", key, tok);
				return -EINVAL;
			}
		if (l->n >= SG_LIST_MAX) {
			pr_file(file, line, "customer.%s: too many values (at most %d)", key, SG_LIST_MAX);
			return -EINVAL;
		}
		l->v[l->n] = strdup(tok);
		if (!l->v[l->n])
			return -ENOMEM;
		l->n++;
	}
	return 0;
}

int sg_customer_parse(const char *file, const char *name, const char *text, size_t len,
		      struct sg_params *p, struct sg_source *where)
{
	int seen[NKEYS] = { 0 };
	bool in_section = false;
	size_t off = 0;
	int line = 0, err = 0;
	char *buf = NULL;

	memset(p, 0, sizeof(*p));
	p->mode = -1;
	if (!sg_customer_name_ok(name)) {
		pr_file(file, 0, "bad customer name '%s' (the file name without .conf): expected [a-z0-9][a-z0-9_-]{0,30}",
		     name);
		return -EINVAL;
	}
	snprintf(p->customer, sizeof(p->customer), "%s", name);
	if (len > SG_CUSTOMER_TEXT_MAX) {
		pr_file(file, 0, "too large (%zu bytes, at most %d)", len, SG_CUSTOMER_TEXT_MAX);
		return -EINVAL;
	}
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	while (off < len && !err) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		enum sg_ini_line kind;
		char *key, *val;
		unsigned int k;

		line++;
		memcpy(buf, text + off, n);
		buf[n] = 0;
		off += n + 1;
		if (strlen(buf) != n) {
			pr_file(file, line, "NUL byte in the line");
			err = -EINVAL;
			break;
		}
		kind = sg_ini_split(buf, &key, &val);
		if (kind == SG_INI_SKIP)
			continue;
		if (kind == SG_INI_BAD_SECTION) {
			pr_file(file, line, "bad section header '%s' (expected [customer])", key);
			err = -EINVAL;
			break;
		}
		if (kind == SG_INI_SECTION) {
			if (strcmp(key, "customer")) {
				pr_file(file, line, "unknown section [%s] (a customer file has one section, [customer])", key);
				err = -EINVAL;
				break;
			}
			if (in_section) {
				pr_file(file, line, "[customer] given twice");
				err = -EINVAL;
				break;
			}
			in_section = true;
			continue;
		}
		if (kind == SG_INI_NO_EQ) {
			pr_file(file, line, "expected 'key = value' or [section], got '%s'", key);
			err = -EINVAL;
			break;
		}
		if (!in_section) {
			pr_file(file, line, "setting outside a section (start with [customer])");
			err = -EINVAL;
			break;
		}
		for (k = 0; k < NKEYS; k++)
			if (!strcmp(key, keys[k].key))
				break;
		if (k == NKEYS) {
			pr_file(file, line, "unknown key '%s' in [customer] (profile, netns, hook, attach, mode, own_host, peer, allow, deny)",
			     key);
			err = -EINVAL;
			break;
		}
		if (!*val) {
			pr_file(file, line, "customer.%s: empty value", key);
			err = -EINVAL;
			break;
		}
		if (!keys[k].list && seen[k]) {
			pr_file(file, line, "customer.%s: set twice (first on line %d)", key, seen[k]);
			err = -EINVAL;
			break;
		}
		if (!seen[k])
			seen[k] = line;
		if (keys[k].list)
			err = add_values(file, line, p, key, val, keys[k].list == 2);
		else
			err = set_scalar(file, line, p, key, val);
	}
	free(buf);
	if (err)
		goto fail;
	if (!in_section) {
		pr_file(file, 0, "no [customer] section");
		err = -EINVAL;
	} else if (!p->profile[0]) {
		pr_file(file, 0, "customer.profile is required (a profile name or file)");
		err = -EINVAL;
	} else if (!p->netns[0]) {
		pr_file(file, 0, "customer.netns is required (a name in /run/netns, a path, or host for the host's own namespace)");
		err = -EINVAL;
	} else if (seen[2] && seen[3]) { /* hook, attach */
		pr_file(file, seen[2] > seen[3] ? seen[2] : seen[3],
		     "customer.hook and customer.attach exclude each other: the attach chain decides the hook");
		err = -EINVAL;
	}
	if (!err) {
		if (where) {
			snprintf(where->file, sizeof(where->file), "%s", file);
			where->profile_line = seen[0];
			where->netns_line = seen[1];
			where->attach_line = seen[3];
		}
		return 0;
	}
fail:
	sg_params_free(p);
	return err == -ENOMEM ? err : -EINVAL;
}

int sg_desired_add(struct sg_desired *d, const char *label, const char *name, const char *text,
		   size_t len)
{
	struct sg_params *v;
	struct sg_source *src;
	int err;

	v = realloc(d->v, (d->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->v = v;
	src = realloc(d->src, (d->n + 1) * sizeof(*src));
	if (!src)
		return -ENOMEM;
	d->src = src;
	err = sg_customer_parse(label, name, text, len, &d->v[d->n], &d->src[d->n]);
	if (err)
		return err;
	d->n++;
	return 0;
}

static int read_all(const char *path, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0 || !buf) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > SG_CUSTOMER_TEXT_MAX) {
				err = -EFBIG;
				goto out;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
out:
	if (fd >= 0)
		close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int add_file(struct sg_desired *d, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t bl = strlen(base);
	char name[64], *text;
	size_t len;
	int err;

	if (bl < 6 || strcmp(base + bl - 5, ".conf") || bl - 5 >= sizeof(name)) {
		pr_file(path, 0, "a customer file is named CUSTOMER.conf");
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(bl - 5), base);
	err = read_all(path, &text, &len);
	if (err) {
		pr_msg("%s: cannot read customer file: %s\n", path, strerror(-err));
		return -EINVAL;
	}
	err = sg_desired_add(d, path, name, text, len);
	free(text);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sg_desired_load(const char *path, struct sg_desired *d)
{
	struct stat sb;
	int err = 0;

	memset(d, 0, sizeof(*d));
	snprintf(d->where, sizeof(d->where), "%s", path);
	if (stat(path, &sb))
		return -errno;
	if (S_ISDIR(sb.st_mode)) {
		struct dirent *de;
		char **names = NULL;
		unsigned int n = 0;
		DIR *dir = opendir(path);

		d->whole = true;
		if (!dir)
			return -errno;
		/* NAME.conf; hidden files and others (editor backups, .dpkg-old) are not read */
		while ((de = readdir(dir))) {
			size_t l = strlen(de->d_name);
			char **nn;

			if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf"))
				continue;
			nn = realloc(names, (n + 1) * sizeof(*names));
			if (!nn)
				break;
			names = nn;
			names[n++] = strdup(de->d_name);
		}
		closedir(dir);
		qsort(names, n, sizeof(*names), cmp_str);
		for (unsigned int i = 0; i < n; i++) {
			char file[PATH_MAX];
			int e;

			snprintf(file, sizeof(file), "%s%s%s", path,
				 path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
			e = add_file(d, file);
			if (e && !err)
				err = e;
			free(names[i]);
		}
		free(names);
	} else {
		err = add_file(d, path);
	}
	if (!err)
		err = sg_desired_finish(d);
	return err;
}

static int cmp_params(const void *a, const void *b)
{
	return strcmp(((const struct sg_params *)a)->customer, ((const struct sg_params *)b)->customer);
}

int sg_desired_finish(struct sg_desired *d)
{
	/* sort v and src together: by index */
	unsigned int *idx = malloc((d->n + 1) * sizeof(*idx));
	struct sg_params *v = malloc((d->n + 1) * sizeof(*v));
	struct sg_source *src = malloc((d->n + 1) * sizeof(*src));
	int err = 0;

	if (!idx || !v || !src) {
		free(idx), free(v), free(src);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < d->n; i++)
		idx[i] = i;
	for (unsigned int i = 1; i < d->n; i++) /* insertion sort: stable, small n */
		for (unsigned int j = i; j > 0 && cmp_params(&d->v[idx[j - 1]], &d->v[idx[j]]) > 0; j--) {
			unsigned int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (unsigned int i = 0; i < d->n; i++) {
		v[i] = d->v[idx[i]];
		src[i] = d->src[idx[i]];
	}
	free(d->v);
	free(d->src);
	free(idx);
	d->v = v;
	d->src = src;
	for (unsigned int i = 1; i < d->n; i++)
		if (!strcmp(d->v[i - 1].customer, d->v[i].customer)) {
			pr_msg("%s:0: customer '%s' is also given by %s\n", d->src[i].file,
			       d->v[i].customer, d->src[i - 1].file);
			err = -EINVAL;
		}
	return err;
}

const struct sg_params *sg_desired_find(const struct sg_desired *d, const char *customer,
					 const struct sg_source **src)
{
	for (unsigned int i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].customer, customer)) {
			if (src)
				*src = &d->src[i];
			return &d->v[i];
		}
	return NULL;
}

void sg_desired_free(struct sg_desired *d)
{
	for (unsigned int i = 0; i < d->n; i++)
		sg_params_free(&d->v[i]);
	free(d->v);
	free(d->src);
	d->v = NULL;
	d->src = NULL;
	d->n = 0;
}
