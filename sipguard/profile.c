// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Profile loader: INI-like text files (format in profiles/README.md) into a
 * struct sg_config plus the compiled signature DFA. Errors are printed as
 * "FILE:LINE: message" on stderr; functions return a negative errno. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "profile.h"

/* Where a profile NAME is looked up (sg_profile_find; the order is in
 * profile.h). The build (CMakeLists.txt) defines:
 *   SIPGUARD_SHARE_PROFILE_DIR  the installed shipped profiles, ${datadir}/sipguard/profiles
 *   SIPGUARD_ETC_PROFILE_DIR    the operator's overrides, ${sysconfdir}/sipguard/profiles
 *   SIPGUARD_PROFILE_DIR        the source tree's profiles/, used by build-tree binaries only
 *   SIPGUARD_BUILD_DIR          the directory the build writes this binary to: a binary
 *                               running from there is a build-tree binary. A program built
 *                               with SIPGUARD_PROFILE_DIR but without it (the test and bench
 *                               tools, never installed) always is one. */
#ifndef SIPGUARD_SHARE_PROFILE_DIR
#define SIPGUARD_SHARE_PROFILE_DIR "/usr/share/sipguard/profiles"
#endif
#ifndef SIPGUARD_ETC_PROFILE_DIR
#define SIPGUARD_ETC_PROFILE_DIR "/etc/sipguard/profiles"
#endif

#define SG_INCLUDE_DEPTH 4

struct pctx {
	struct sg_profile *p;
	unsigned int cap_patterns;
	bool byte_used[256];       /* lower-cased bytes of all patterns */
	unsigned int n_bytes;
	int depth;
	/* sections switched on by their presence (enabled = no turns them off) */
};

static const struct {
	const char *name;
	__u32 bit;
} methods[] = {
#define SG_METHOD_NAME(name, bit) { #name, 1u << bit },
	SG_METHODS(SG_METHOD_NAME)
#undef SG_METHOD_NAME
};

static const struct {
	const char *name;
	__u32 bit;
} fields[] = {
	{ "ua", SG_FIELD_USER_AGENT },     { "user-agent", SG_FIELD_USER_AGENT },
	{ "from", SG_FIELD_FROM },         { "to", SG_FIELD_TO },
	{ "contact", SG_FIELD_CONTACT },   { "call-id", SG_FIELD_CALL_ID },
	{ "start-line", SG_FIELD_START_LINE }, { "via", SG_FIELD_VIA },
	{ "subject", SG_FIELD_SUBJECT },   { "any", SG_FIELD_ALL },
};

/* A build-tree binary: its executable (/proc/self/exe) lies in
 * SIPGUARD_BUILD_DIR, both compared after realpath. It uses the source
 * tree's profiles whatever a package installed on the machine. */
static bool in_build_tree(void)
{
#if !defined(SIPGUARD_PROFILE_DIR)
	return false;
#elif !defined(SIPGUARD_BUILD_DIR)
	return true;
#else
	static int known = -1;
	char exe[PATH_MAX], dir[PATH_MAX], *s;

	if (known < 0) {
		known = 0;
		if (realpath("/proc/self/exe", exe) && realpath(SIPGUARD_BUILD_DIR, dir) &&
		    (s = strrchr(exe, '/'))) {
			*s = 0;
			known = !strcmp(exe, dir);
		}
	}
	return known;
#endif
}

static const char *profiles_env(void)
{
	const char *e = getenv("SIPGUARD_PROFILES");

	return e && *e ? e : NULL;
}

const char *sg_profile_dir(void)
{
	if (profiles_env())
		return profiles_env();
#ifdef SIPGUARD_PROFILE_DIR
	if (in_build_tree())
		return SIPGUARD_PROFILE_DIR;
#endif
	return SIPGUARD_SHARE_PROFILE_DIR;
}

const char *sg_profile_override_dir(void)
{
	if (profiles_env() || in_build_tree())
		return NULL;
	return SIPGUARD_ETC_PROFILE_DIR;
}

int sg_profile_find(const char *name, char *path, size_t n, bool *override)
{
	const char *o = sg_profile_override_dir();
	struct stat st;

	if (o) {
		snprintf(path, n, "%s/%s.ini", o, name);
		if (stat(path, &st) == 0) {
			if (override)
				*override = true;
			return 0;
		}
	}
	if (override)
		*override = false;
	snprintf(path, n, "%s/%s.ini", sg_profile_dir(), name);
	return stat(path, &st) ? -ENOENT : 0;
}

char *sg_trim(char *s)
{
	char *e;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

#pragma GCC diagnostic ignored "-Wformat-truncation"

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_uint(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

static void set_flag(struct sg_config *c, __u32 flag, bool on)
{
	if (on)
		c->flags |= flag;
	else
		c->flags &= ~flag;
}

static void set_check(struct sg_config *c, __u32 check, bool on)
{
	if (on)
		c->checks |= check;
	else
		c->checks &= ~check;
}

/* Directory of FILE (for includes relative to it). */
static void dir_of(const char *file, char *out, size_t n)
{
	const char *s = strrchr(file, '/');

	if (!s)
		snprintf(out, n, ".");
	else
		snprintf(out, n, "%.*s", (int)(s - file), file);
}

static int add_pattern(struct pctx *x, const char *file, int line, const char *spec)
{
	struct sg_profile *p = x->p;
	char buf[512], *colon, *text, *f, *save = NULL;
	__u32 mask = 0;
	size_t len;
	unsigned int nb = x->n_bytes;
	bool used[256];

	snprintf(buf, sizeof(buf), "%s", spec);
	colon = strchr(buf, ':');
	if (!colon) {
		pr_file(file, line, "pattern '%s' has no FIELDS: prefix (e.g. ua|from:friendly-scanner, or any:TEXT)", spec);
		return -EINVAL;
	}
	*colon = 0;
	text = colon + 1;
	for (f = strtok_r(buf, "|", &save); f; f = strtok_r(NULL, "|", &save)) {
		unsigned int k;

		f = sg_trim(f);
		for (k = 0; k < sizeof(fields) / sizeof(*fields); k++)
			if (!strcasecmp(f, fields[k].name))
				break;
		if (k == sizeof(fields) / sizeof(*fields)) {
			pr_file(file, line, "unknown signature field '%s' (use ua, from, to, contact, call-id, start-line, via, subject or any)", f);
			return -EINVAL;
		}
		mask |= fields[k].bit;
	}
	if (!mask) {
		pr_file(file, line, "pattern without fields");
		return -EINVAL;
	}
	len = strlen(text);
	if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
		text[len - 1] = 0;
		text++;
		len -= 2;
	}
	if (!len) {
		pr_file(file, line, "empty pattern text");
		return -EINVAL;
	}
	if (len > SG_PATTERN_MAX) {
		pr_file(file, line, "pattern too long (%zu bytes, at most %d)", len, SG_PATTERN_MAX);
		return -EINVAL;
	}
	memcpy(used, x->byte_used, sizeof(used));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)text[i]);

		if (c < 0x20 || c == 0x7f) {
			pr_file(file, line, "pattern has a control byte (0x%02x)", c);
			return -EINVAL;
		}
		text[i] = (char)c;
		if (!used[c]) {
			used[c] = true;
			nb++;
		}
	}
	if (nb > SG_DFA_CLASSES - 1) {
		pr_file(file, line, "too many distinct pattern bytes (%u, the DFA has %d classes): shorten or drop patterns",
		     nb, SG_DFA_CLASSES - 1);
		return -E2BIG;
	}
	/* identical pattern: merge the fields */
	for (unsigned int i = 0; i < p->n_patterns; i++)
		if (!strcmp(p->patterns[i].text, text)) {
			p->patterns[i].fields |= mask;
			return 0;
		}
	if (p->n_patterns == x->cap_patterns) {
		unsigned int nc = x->cap_patterns ? x->cap_patterns * 2 : 32;
		struct sg_pattern *np = realloc(p->patterns, nc * sizeof(*np));

		if (!np)
			return -ENOMEM;
		p->patterns = np;
		x->cap_patterns = nc;
	}
	p->patterns[p->n_patterns].text = strdup(text);
	if (!p->patterns[p->n_patterns].text)
		return -ENOMEM;
	p->patterns[p->n_patterns].fields = mask;
	p->n_patterns++;
	memcpy(x->byte_used, used, sizeof(used));
	x->n_bytes = nb;
	return 0;
}

static int open_include(const char *file, int line, const char *name, char *path, size_t n, FILE **out)
{
	char dir[PATH_MAX];

	if (name[0] == '/') {
		snprintf(path, n, "%s", name);
	} else {
		dir_of(file, dir, sizeof(dir));
		snprintf(path, n, "%s/%s", dir, name);
	}
	*out = fopen(path, "r");
	if (!*out) {
		int err = -errno;

		pr_file(file, line, "cannot read include '%s': %s", path, strerror(errno));
		return err;
	}
	return 0;
}

static int load_list(struct pctx *x, const char *file, int line, const char *name)
{
	char path[PATH_MAX], buf[1024];
	FILE *f;
	int err, ln = 0;

	err = open_include(file, line, name, path, sizeof(path), &f);
	if (err)
		return err;
	while (fgets(buf, sizeof(buf), f)) {
		char *s;

		ln++;
		if (!strchr(buf, '\n') && !feof(f)) {
			pr_file(path, ln, "line too long");
			err = -EINVAL;
			break;
		}
		s = sg_trim(buf);
		if (!*s || *s == '#')
			continue;
		err = add_pattern(x, path, ln, s);
		if (err)
			break;
	}
	fclose(f);
	return err;
}

static int parse_file(struct pctx *x, const char *file);

static int parse_methods(const char *file, int line, char *v, struct sg_config *c)
{
	char *tok, *save = NULL;
	__u32 m = 0;

	if (!strcasecmp(v, "any")) {
		c->flags |= SG_F_ANY_METHOD;
		c->methods = 0;
		return 0;
	}
	for (tok = strtok_r(v, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		unsigned int k;

		for (k = 0; k < sizeof(methods) / sizeof(*methods); k++)
			if (!strcasecmp(tok, methods[k].name))
				break;
		if (k == sizeof(methods) / sizeof(*methods)) {
			pr_file(file, line, "unknown method '%s' (known: INVITE ACK BYE CANCEL REGISTER OPTIONS PRACK SUBSCRIBE NOTIFY PUBLISH INFO REFER MESSAGE UPDATE, or 'any')", tok);
			return -EINVAL;
		}
		m |= methods[k].bit;
	}
	if (!m) {
		pr_file(file, line, "empty method list (give methods or 'any')");
		return -EINVAL;
	}
	c->flags &= ~SG_F_ANY_METHOD;
	c->methods = m;
	return 0;
}

/* [sanity] uri_schemes: "any" (any well-formed scheme, RFC 3986) or the
 * validator's list, sip sips tel tels urn, named in full (in any order):
 * urn: carries emergency calls (RFC 5031), and the program knows no other
 * list. */
static int parse_schemes(const char *file, int line, char *v, struct sg_config *c)
{
	static const char *const known[] = { "sip", "sips", "tel", "tels", "urn" };
	char *tok, *save = NULL;
	unsigned int seen = 0;

	if (!strcasecmp(v, "any")) {
		c->flags |= SG_F_ANY_SCHEME;
		return 0;
	}
	for (tok = strtok_r(v, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		unsigned int k;

		for (k = 0; k < sizeof(known) / sizeof(*known); k++)
			if (!strcasecmp(tok, known[k]))
				break;
		if (k == sizeof(known) / sizeof(*known)) {
			pr_file(file, line, "sanity.uri_schemes: unknown scheme '%s' (give 'any', or the list sip sips tel tels urn)", tok);
			return -EINVAL;
		}
		seen |= 1u << k;
	}
	if (seen != (1u << (sizeof(known) / sizeof(*known))) - 1) {
		pr_file(file, line, "sanity.uri_schemes: the list is sip sips tel tels urn, all five (urn: carries emergency calls), or 'any'");
		return -EINVAL;
	}
	c->flags &= ~SG_F_ANY_SCHEME;
	return 0;
}

static int parse_ports(const char *file, int line, char *v, struct sg_config *c, __u8 proto,
		       bool *reset)
{
	char *tok, *save = NULL;

	if (!*reset) { /* a [ports] section replaces the default (or base) ports */
		memset(c->ports, 0, sizeof(c->ports));
		memset(c->port_protos, 0, sizeof(c->port_protos));
		*reset = true;
	}
	for (tok = strtok_r(v, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		unsigned long port;
		int k;

		if (!strcasecmp(tok, "none"))
			continue;
		if (parse_uint(tok, 1, 65535, &port)) {
			pr_file(file, line, "bad port '%s' (1..65535)", tok);
			return -EINVAL;
		}
		for (k = 0; k < SG_MAX_PORTS; k++)
			if (c->ports[k] == port || !c->ports[k])
				break;
		if (k == SG_MAX_PORTS) {
			pr_file(file, line, "too many ports (at most %d distinct)", SG_MAX_PORTS);
			return -E2BIG;
		}
		c->ports[k] = (__u16)port;
		c->port_protos[k] |= proto;
	}
	return 0;
}

static int parse_rate(const char *file, int line, char *v, struct sg_rate_limit *r)
{
	unsigned long rate, burst = 0;
	char unit[32], word[32], extra[2];
	int n;

	if (!strcasecmp(v, "none") || !strcmp(v, "0")) {
		r->rate = r->burst = 0;
		return 0;
	}
	n = sscanf(v, "%lu/%31s %31s %lu %1s", &rate, unit, word, &burst, extra);
	if ((n != 2 && n != 4) || rate == 0 || rate > 1000000 ||
	    (strcasecmp(unit, "second") && strcasecmp(unit, "s")) ||
	    (n == 4 && (strcasecmp(word, "burst") || burst > 10000000))) {
		pr_file(file, line, "bad rate '%s' (expected N/second [burst M], or none)", v);
		return -EINVAL;
	}
	r->rate = (unsigned int)rate;
	r->burst = n == 4 ? (unsigned int)burst : 0;
	return 0;
}

static int set_key(struct pctx *x, const char *file, int line, const char *sec, const char *key,
		   char *v, bool *ports_reset, bool *any_key)
{
	struct sg_profile *p = x->p;
	struct sg_config *c = &p->cfg;
	unsigned long n;
	bool b;

#define BOOL_KEY(k, action)                                                                    \
	if (!strcmp(key, k)) {                                                                 \
		if (parse_bool(v, &b)) {                                                       \
			pr_file(file, line, "%s.%s: bad value '%s' (yes or no)", sec, key, v);    \
			return -EINVAL;                                                        \
		}                                                                              \
		action;                                                                        \
		return 0;                                                                      \
	}
#define UINT_KEY(k, lo, hi, field)                                                             \
	if (!strcmp(key, k)) {                                                                 \
		if (parse_uint(v, lo, hi, &n)) {                                               \
			pr_file(file, line, "%s.%s: bad value '%s' (%d..%d)", sec, key, v, lo, hi); \
			return -EINVAL;                                                        \
		}                                                                              \
		field = (__u16)n;                                                              \
		return 0;                                                                      \
	}

	if (!strcmp(sec, "profile")) {
		if (!strcmp(key, "base")) {
			char path[PATH_MAX * 2 + 8], dir[PATH_MAX];
			struct stat st;
			int err;

			if (*any_key) {
				pr_file(file, line, "'base' must be the first setting of the file");
				return -EINVAL;
			}
			if (x->depth >= SG_INCLUDE_DEPTH) {
				pr_file(file, line, "base profiles nested too deep (loop?)");
				return -ELOOP;
			}
			dir_of(file, dir, sizeof(dir));
			if (strchr(v, '/'))
				snprintf(path, sizeof(path), "%s%s%s", v[0] == '/' ? "" : dir,
					 v[0] == '/' ? "" : "/", v);
			else
				snprintf(path, sizeof(path), "%s/%s%s", dir, v,
					 strstr(v, ".ini") ? "" : ".ini");
			if (stat(path, &st)) {
				pr_file(file, line, "cannot read base profile '%s': %s", path, strerror(errno));
				return -ENOENT;
			}
			x->depth++;
			err = parse_file(x, path);
			x->depth--;
			return err;
		}
		if (!strcmp(key, "name")) {
			if (!*v || strlen(v) >= sizeof(p->name) || strpbrk(v, " \t/")) {
				pr_file(file, line, "bad name '%s' (a word of at most %zu bytes)", v, sizeof(p->name) - 1);
				return -EINVAL;
			}
			snprintf(p->name, sizeof(p->name), "%s", v);
			return 0;
		}
		if (!strcmp(key, "description")) {
			snprintf(p->description, sizeof(p->description), "%s", v);
			return 0;
		}
		if (!strcmp(key, "mode")) {
			if (!strcmp(v, "enforce"))
				c->flags &= ~SG_F_MONITOR;
			else if (!strcmp(v, "monitor"))
				c->flags |= SG_F_MONITOR;
			else {
				pr_file(file, line, "profile.mode: bad value '%s' (enforce or monitor)", v);
				return -EINVAL;
			}
			return 0;
		}
	} else if (!strcmp(sec, "ports")) {
		if (!strcmp(key, "udp"))
			return parse_ports(file, line, v, c, SG_PROTO_UDP, ports_reset);
		if (!strcmp(key, "tcp"))
			return parse_ports(file, line, v, c, SG_PROTO_TCP, ports_reset);
	} else if (!strcmp(sec, "methods")) {
		BOOL_KEY("enabled", set_check(c, SG_CHECK_METHODS, b))
		if (!strcmp(key, "allow"))
			return parse_methods(file, line, v, c);
	} else if (!strcmp(sec, "sanity")) {
		BOOL_KEY("enabled", set_check(c, SG_CHECK_SANITY, b))
		BOOL_KEY("require_max_forwards", set_flag(c, SG_F_REQUIRE_MAX_FWD, b))
		BOOL_KEY("strict_content_length", set_flag(c, SG_F_STRICT_CLEN, b))
		BOOL_KEY("tcp_require_content_length", set_flag(c, SG_F_TCP_REQUIRE_CLEN, b))
		BOOL_KEY("text_keepalives", set_flag(c, SG_F_TEXT_KEEPALIVE, b))
		BOOL_KEY("allow_control_bytes", set_flag(c, SG_F_CTL_BYTES, b))
		BOOL_KEY("allow_cr_cr_lf", set_flag(c, SG_F_CR_CR_LF, b))
		if (!strcmp(key, "uri_schemes"))
			return parse_schemes(file, line, v, c);
		UINT_KEY("max_message", 64, 65535, c->max_message)
		UINT_KEY("max_line", 16, SG_MAX_LINE_HARD, c->max_line)
		UINT_KEY("max_headers", 5, SG_MAX_HEADERS_HARD, c->max_headers)
		UINT_KEY("max_uri", 8, SG_MAX_URI_HARD, c->max_uri)
	} else if (!strcmp(sec, "signatures")) {
		BOOL_KEY("enabled", set_check(c, SG_CHECK_SIGNATURES, b))
		BOOL_KEY("scanner_shape", set_flag(c, SG_F_SCANNER_SHAPE, b))
		if (!strcmp(key, "pattern"))
			return add_pattern(x, file, line, v);
		if (!strcmp(key, "include")) {
			if (x->depth >= SG_INCLUDE_DEPTH) {
				pr_file(file, line, "includes nested too deep");
				return -ELOOP;
			}
			return load_list(x, file, line, v);
		}
	} else if (!strcmp(sec, "reflection")) {
		BOOL_KEY("enabled", set_check(c, SG_CHECK_REFLECTION, b))
		BOOL_KEY("drop_responses", set_flag(c, SG_F_DROP_RESPONSES, b))
		BOOL_KEY("check_via", set_flag(c, SG_F_CHECK_VIA_OWN, b))
		BOOL_KEY("check_peers", set_flag(c, SG_F_CHECK_PEERS, b))
	} else if (!strcmp(sec, "rate")) {
		if (!strcmp(key, "per_source"))
			return parse_rate(file, line, v, &p->rate);
		if (!strcmp(key, "max_sources")) {
			if (parse_uint(v, 16, 1048576, &n)) {
				pr_file(file, line, "rate.max_sources: bad value '%s' (16..1048576)", v);
				return -EINVAL;
			}
			p->rate.max_sources = (unsigned int)n;
			return 0;
		}
	} else if (!strcmp(sec, "tcp")) {
		BOOL_KEY("conntrack", p->tcp_conntrack = b)
	} else if (!strcmp(sec, "shield")) {
		BOOL_KEY("drop_all_sip", set_flag(c, SG_F_DROP_ALL_SIP, b))
	} else if (!strcmp(sec, "events")) {
		if (!strcmp(key, "rate")) {
			struct sg_rate_limit r;

			if (parse_rate(file, line, v, &r))
				return -EINVAL;
			/* none: no events; else one per 1/rate s after a burst */
			c->ev_interval_ns = r.rate ? 1000000000ull / r.rate : 0;
			c->ev_burst = r.rate ? (r.burst ? r.burst : 1) : 0;
			return 0;
		}
	}
#undef BOOL_KEY
#undef UINT_KEY
	pr_file(file, line, "unknown key '%s' in [%s] (see profiles/README.md)", key, sec);
	return -EINVAL;
}

enum sg_ini_line sg_ini_split(char *line, char **name, char **value)
{
	char *s = sg_trim(line), *e;

	*name = s;
	*value = NULL;
	if (!*s || *s == '#' || *s == ';')
		return SG_INI_SKIP;
	if (*s == '[') {
		e = strchr(s, ']');
		if (!e || *sg_trim(e + 1))
			return SG_INI_BAD_SECTION;
		*e = 0;
		*name = sg_trim(s + 1);
		return SG_INI_SECTION;
	}
	e = strchr(s, '=');
	if (!e)
		return SG_INI_NO_EQ;
	*e = 0;
	*name = sg_trim(s);
	*value = sg_trim(e + 1);
	return SG_INI_KEY;
}

static const char *sections[] = { "profile", "ports", "methods", "sanity", "signatures",
				  "reflection", "rate", "shield", "events", "tcp", NULL };

static const __u32 section_check[] = { 0, 0, SG_CHECK_METHODS, SG_CHECK_SANITY,
				       SG_CHECK_SIGNATURES, SG_CHECK_REFLECTION, 0, 0, 0, 0 };

static int parse_file(struct pctx *x, const char *file)
{
	char buf[1024], sec[32] = "";
	bool ports_reset = false, any_key = false;
	int line = 0, err = 0;
	FILE *f = fopen(file, "r");

	if (!f) {
		err = -errno;
		pr_msg("%s: cannot read profile: %s\n", file, strerror(errno));
		return err;
	}
	while (fgets(buf, sizeof(buf), f)) {
		enum sg_ini_line kind;
		char *key, *val;

		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			pr_file(file, line, "line too long (at most %zu bytes)", sizeof(buf) - 2);
			err = -EINVAL;
			break;
		}
		kind = sg_ini_split(buf, &key, &val);
		if (kind == SG_INI_SKIP)
			continue;
		if (kind == SG_INI_BAD_SECTION) {
			pr_file(file, line, "bad section header '%s' (expected [name])", key);
			err = -EINVAL;
			break;
		}
		if (kind == SG_INI_SECTION) {
			int k;

			for (k = 0; sections[k]; k++)
				if (!strcmp(key, sections[k]))
					break;
			if (!sections[k]) {
				pr_file(file, line, "unknown section [%s] (profile, ports, methods, sanity, signatures, reflection, rate, shield, events, tcp)", key);
				err = -EINVAL;
				break;
			}
			snprintf(sec, sizeof(sec), "%s", key);
			x->p->cfg.checks |= section_check[k]; /* a section switches its check on */
			continue;
		}
		if (kind == SG_INI_NO_EQ) {
			pr_file(file, line, "expected 'key = value' or [section], got '%s'", key);
			err = -EINVAL;
			break;
		}
		if (!sec[0]) {
			pr_file(file, line, "setting outside a section (start with [profile])");
			err = -EINVAL;
			break;
		}
		if (!*val) {
			pr_file(file, line, "%s.%s: empty value", sec, key);
			err = -EINVAL;
			break;
		}
		err = set_key(x, file, line, sec, key, val, &ports_reset, &any_key);
		any_key = true;
		if (err)
			break;
	}
	if (!err && ferror(f)) {
		err = -EIO;
		pr_msg("%s:%d: read error\n", file, line);
	}
	fclose(f);
	return err;
}

void sg_profile_free(struct sg_profile *p)
{
	if (!p)
		return;
	for (unsigned int i = 0; i < p->n_patterns; i++)
		free(p->patterns[i].text);
	free(p->patterns);
	free(p->dfa);
	p->patterns = NULL;
	p->dfa = NULL;
	p->n_patterns = 0;
}

static int resolve(const char *name, char *path, size_t n)
{
	struct stat st;
	size_t len = strlen(name);

	if (strchr(name, '/') || (len > 4 && !strcmp(name + len - 4, ".ini")) ||
	    (stat(name, &st) == 0 && S_ISREG(st.st_mode))) {
		snprintf(path, n, "%s", name);
		return 0;
	}
	if (!*name || strpbrk(name, " \t")) {
		pr_warn("bad profile name '%s'\n", name);
		return -EINVAL;
	}
	if (sg_profile_find(name, path, n, NULL)) {
		if (sg_profile_override_dir())
			pr_warn("no profile '%s' in %s or %s (run 'sipguard profiles' for the list, or give a file path)\n",
				name, sg_profile_override_dir(), sg_profile_dir());
		else
			pr_warn("no profile '%s' in %s (run 'sipguard profiles' for the list, or give a file path)\n",
				name, sg_profile_dir());
		return -ENOENT;
	}
	return 0;
}

int sg_profile_load(const char *name_or_path, struct sg_profile *p)
{
	struct pctx x = { .p = p };
	struct sg_config *c = &p->cfg;
	const char *base;
	char *dot;
	int err;

	memset(p, 0, sizeof(*p));
	err = resolve(name_or_path, p->path, sizeof(p->path));
	if (err)
		return err;
	base = strrchr(p->path, '/') ? strrchr(p->path, '/') + 1 : p->path;
	snprintf(p->name, sizeof(p->name), "%s", base);
	dot = strstr(p->name, ".ini");
	if (dot && !dot[4])
		*dot = 0;

	c->version = SG_CONFIG_VERSION;
	c->ports[0] = 5060;
	c->port_protos[0] = SG_PROTO_UDP | SG_PROTO_TCP;
	c->max_message = 16384;
	c->max_line = 2048;
	c->max_headers = SG_MAX_HEADERS_HARD;
	c->max_uri = 512;
	/* drop events on unless a profile says [events] rate = none */
	c->ev_interval_ns = 1000000000ull / SG_EVENTS_RATE_DEFAULT;
	c->ev_burst = SG_EVENTS_BURST_DEFAULT;

	err = parse_file(&x, p->path);
	if (err)
		goto fail;
	if ((c->checks & SG_CHECK_METHODS) && !(c->flags & SG_F_ANY_METHOD) && !c->methods) {
		pr_msg("%s:0: [methods] needs 'allow = METHOD...' or 'allow = any'\n", p->path);
		err = -EINVAL;
		goto fail;
	}
	if (!c->ports[0]) {
		pr_msg("%s:0: no guarded ports ([ports] udp = / tcp =)\n", p->path);
		err = -EINVAL;
		goto fail;
	}
	err = sg_dfa_build(p->patterns, p->n_patterns, c, &p->dfa);
	if (err) {
		pr_msg("%s:0: signature patterns do not fit the DFA (%s): use fewer patterns\n",
			p->path, strerror(-err));
		goto fail;
	}
	return 0;
fail:
	sg_profile_free(p);
	return err;
}
