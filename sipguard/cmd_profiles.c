// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard profiles [NAME|FILE]: list shipped profiles, or show one's
 * effective settings (after validating it). */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "profile.h"
#include "sgjson.h"

static const char *const field_names[] = { "ua", "from", "to", "contact", "call-id", "start-line",
					   "via", "subject" };

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

static void print_fields(__u32 f)
{
	const char *const *names = field_names;
	bool first = true;

	if ((f & SG_FIELD_ALL) == SG_FIELD_ALL) {
		printf("any");
		return;
	}
	for (int i = 0; i < 8; i++)
		if (f & (1u << i)) {
			printf("%s%s", first ? "" : "|", names[i]);
			first = false;
		}
}

/* print_fields for JSON: the names of F's fields into the array A */
static void json_fields(struct json_object *a, __u32 f)
{
	if ((f & SG_FIELD_ALL) == SG_FIELD_ALL) {
		json_object_array_add(a, json_object_new_string("any"));
		return;
	}
	for (int k = 0; k < 8; k++)
		if (f & (1u << k))
			json_object_array_add(a, json_object_new_string(field_names[k]));
}

static void show(const struct sg_profile *p)
{
	const struct sg_config *c = &p->cfg;
	unsigned int classes = 0;

	printf("name:        %s\n", p->name);
	printf("file:        %s\n", p->path);
	printf("description: %s\n", p->description);
	printf("mode:        %s\n", c->flags & SG_F_MONITOR ? "monitor" : "enforce");
	printf("ports:      ");
	for (int k = 0; k < SG_MAX_PORTS && c->ports[k]; k++)
		printf(" %u/%s%s", c->ports[k],
		       c->port_protos[k] == (SG_PROTO_UDP | SG_PROTO_TCP) ? "udp+tcp"
		       : c->port_protos[k] & SG_PROTO_UDP ? "udp" : "tcp", "");
	printf("\nmethods:     ");
	if (!(c->checks & SG_CHECK_METHODS))
		printf("off (not checked)");
	else if (c->flags & SG_F_ANY_METHOD)
		printf("any well-formed method");
	else {
#define SG_PM(name, bit) if (c->methods & (1u << bit)) printf("%s ", #name);
		SG_METHODS(SG_PM)
#undef SG_PM
	}
	printf("\nsanity:      ");
	if (c->checks & SG_CHECK_SANITY)
		printf("on, require_max_forwards=%s strict_content_length=%s tcp_require_content_length=%s\n"
		       "             uri_schemes=%s allow_control_bytes=%s allow_cr_cr_lf=%s\n"
		       "             max_message=%u max_line=%u max_headers=%u max_uri=%u",
		       yesno(c->flags & SG_F_REQUIRE_MAX_FWD), yesno(c->flags & SG_F_STRICT_CLEN),
		       yesno(c->flags & SG_F_TCP_REQUIRE_CLEN),
		       c->flags & SG_F_ANY_SCHEME ? "any" : "sip sips tel tels urn",
		       yesno(c->flags & SG_F_CTL_BYTES), yesno(c->flags & SG_F_CR_CR_LF),
		       c->max_message, c->max_line, c->max_headers, c->max_uri);
	else
		printf("off");
	printf("\nkeepalives:  CRLF, STUN%s",
	       c->flags & SG_F_TEXT_KEEPALIVE ? ", text (text_keepalives=yes: UDP, <= 16 bytes)" : "");
	for (int b = 0; b < 256; b++)
		if (c->byte_class[b] > classes)
			classes = c->byte_class[b];
	printf("\nsignatures:  ");
	if (c->checks & SG_CHECK_SIGNATURES) {
		printf("on, scanner_shape=%s, %u patterns, DFA %u states / %u byte classes\n",
		       yesno(c->flags & SG_F_SCANNER_SHAPE), p->n_patterns, c->dfa_states, classes + 1);
		if (c->pf_stride)
			printf("             prefilter: 3-byte grams every %u bytes\n", c->pf_stride);
		else if (p->n_patterns)
			printf("             prefilter: off (every pattern segment under %d bytes: profiles/README.md)\n",
			       SG_PF_GRAM + SG_PF_MIN_STRIDE - 1);
		if (c->pf_stride && c->pf_unfiltered) {
			/* a cost to see: every value of these fields is scanned whole */
			printf("             prefilter: always scanned: ");
			print_fields(c->pf_unfiltered);
			printf(" (a pattern segment under %d bytes: profiles/README.md)\n",
			       SG_PF_GRAM + SG_PF_MIN_STRIDE - 1);
		}
		for (unsigned int i = 0; i < p->n_patterns; i++) {
			printf("             pattern = ");
			print_fields(p->patterns[i].fields);
			printf(":%s\n", p->patterns[i].text);
		}
	} else {
		printf("off\n");
	}
	printf("reflection:  ");
	if (c->checks & SG_CHECK_REFLECTION)
		printf("on, drop_responses=%s check_via=%s (with --own-host) check_peers=%s (with --peer)",
		       yesno(c->flags & SG_F_DROP_RESPONSES), yesno(c->flags & SG_F_CHECK_VIA_OWN),
		       yesno(c->flags & SG_F_CHECK_PEERS));
	else
		printf("off");
	printf("\nshield:      drop_all_sip=%s\n", yesno(c->flags & SG_F_DROP_ALL_SIP));
	if (p->rate.rate)
		printf("rate:        %u/second per source, burst %u (nftables)\n", p->rate.rate,
		       p->rate.burst);
	else
		printf("rate:        none\n");
}

/* The effective settings of P as JSON (the fields of show()). */
static struct json_object *show_json(const struct sg_profile *p)
{
	const struct sg_config *c = &p->cfg;
	struct json_object *o = json_object_new_object(), *a, *x;
	unsigned int classes = 0;

	sg_json_str(o, "name", p->name);
	sg_json_str(o, "file", p->path);
	sg_json_str(o, "description", p->description);
	sg_json_str(o, "mode", c->flags & SG_F_MONITOR ? "monitor" : "enforce");
	a = sg_json_arr(o, "ports");
	for (int k = 0; k < SG_MAX_PORTS && c->ports[k]; k++) {
		struct json_object *po = json_object_new_object(), *pr;

		sg_json_u64(po, "port", c->ports[k]);
		pr = sg_json_arr(po, "protocols");
		if (c->port_protos[k] & SG_PROTO_UDP)
			json_object_array_add(pr, json_object_new_string("udp"));
		if (c->port_protos[k] & SG_PROTO_TCP)
			json_object_array_add(pr, json_object_new_string("tcp"));
		json_object_array_add(a, po);
	}
	x = sg_json_obj(o, "methods");
	sg_json_bool(x, "checked", c->checks & SG_CHECK_METHODS);
	sg_json_bool(x, "any", (c->checks & SG_CHECK_METHODS) && (c->flags & SG_F_ANY_METHOD));
	a = sg_json_arr(x, "allow");
	if ((c->checks & SG_CHECK_METHODS) && !(c->flags & SG_F_ANY_METHOD)) {
#define SG_PMJ(name, bit) \
		if (c->methods & (1u << bit)) json_object_array_add(a, json_object_new_string(#name));
		SG_METHODS(SG_PMJ)
#undef SG_PMJ
	}
	x = sg_json_obj(o, "sanity");
	sg_json_bool(x, "enabled", c->checks & SG_CHECK_SANITY);
	sg_json_bool(x, "require_max_forwards", c->flags & SG_F_REQUIRE_MAX_FWD);
	sg_json_bool(x, "strict_content_length", c->flags & SG_F_STRICT_CLEN);
	sg_json_bool(x, "tcp_require_content_length", c->flags & SG_F_TCP_REQUIRE_CLEN);
	sg_json_u64(x, "max_message", c->max_message);
	sg_json_u64(x, "max_line", c->max_line);
	sg_json_u64(x, "max_headers", c->max_headers);
	sg_json_u64(x, "max_uri", c->max_uri);
	for (int b = 0; b < 256; b++)
		if (c->byte_class[b] > classes)
			classes = c->byte_class[b];
	x = sg_json_obj(o, "signatures");
	sg_json_bool(x, "enabled", c->checks & SG_CHECK_SIGNATURES);
	sg_json_bool(x, "scanner_shape", c->flags & SG_F_SCANNER_SHAPE);
	sg_json_u64(x, "dfa_states", c->dfa_states);
	sg_json_u64(x, "byte_classes", classes + 1);
	sg_json_u64(x, "prefilter_stride", c->pf_stride);
	json_fields(sg_json_arr(x, "prefilter_always_scanned"), c->pf_stride ? c->pf_unfiltered : 0);
	a = sg_json_arr(x, "patterns");
	for (unsigned int i = 0; i < p->n_patterns; i++) {
		struct json_object *po = json_object_new_object();

		json_fields(sg_json_arr(po, "fields"), p->patterns[i].fields);
		sg_json_str(po, "text", p->patterns[i].text);
		json_object_array_add(a, po);
	}
	x = sg_json_obj(o, "reflection");
	sg_json_bool(x, "enabled", c->checks & SG_CHECK_REFLECTION);
	sg_json_bool(x, "drop_responses", c->flags & SG_F_DROP_RESPONSES);
	sg_json_bool(x, "check_via", c->flags & SG_F_CHECK_VIA_OWN);
	sg_json_bool(x, "check_peers", c->flags & SG_F_CHECK_PEERS);
	x = sg_json_obj(o, "shield");
	sg_json_bool(x, "drop_all_sip", c->flags & SG_F_DROP_ALL_SIP);
	if (p->rate.rate) {
		x = sg_json_obj(o, "rate");
		sg_json_u64(x, "per_source", p->rate.rate);
		sg_json_u64(x, "burst", p->rate.burst);
	} else {
		sg_json_str(o, "rate", NULL);
	}
	return o;
}

static int ini_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 && !strcmp(d->d_name + n - 4, ".ini");
}

/* Reads the profile names (NAME of NAME.ini) in DIR into *NAMES (sorted). */
static int scan(const char *dir, struct dirent ***names)
{
	int n = scandir(dir, names, ini_filter, alphasort);

	if (n < 0)
		*names = NULL;
	return n;
}

/* One line of the list (or one entry of ARR with --json). */
static void list_one(const char *file, int *ret, struct json_object *arr)
{
	char name[256], path[4352];
	struct sg_profile p;
	bool override;
	struct json_object *o;

	snprintf(name, sizeof(name), "%.*s", (int)strlen(file) - 4, file);
	if (sg_profile_find(name, path, sizeof(path), &override)) /* gone meanwhile */
		return;
	sg_log_clear();
	if (sg_profile_load(path, &p) == 0) {
		if (arr) {
			o = json_object_new_object();
			sg_json_str(o, "name", name);
			sg_json_str(o, "mode", p.cfg.flags & SG_F_MONITOR ? "monitor" : "enforce");
			sg_json_str(o, "from", override ? "override" : "shipped");
			sg_json_str(o, "description", p.description);
			sg_json_str(o, "file", path);
			json_object_array_add(arr, o);
		} else {
			printf("%-10s %-8s %-8s %s\n", name,
			       p.cfg.flags & SG_F_MONITOR ? "monitor" : "enforce",
			       override ? "override" : "shipped", p.description);
		}
		sg_profile_free(&p);
	} else {
		if (arr) {
			o = json_object_new_object();
			sg_json_str(o, "name", name);
			sg_json_str(o, "from", override ? "override" : "shipped");
			sg_json_str(o, "file", path);
			sg_json_str(o, "error", sg_log_first() ? sg_log_first() : "broken");
			json_object_array_add(arr, o);
		} else {
			printf("%-10s BROKEN   %-8s see the error above; 'sipguard profiles %s' shows it\n",
			       name, override ? "override" : "shipped", path);
		}
		*ret = SG_EXIT_USAGE;
	}
}

int cmd_profiles(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dirent **shipped, **over = NULL;
	const char *odir = sg_profile_override_dir();
	struct json_object *doc = NULL, *arr = NULL;
	struct sg_profile p;
	bool json = false;
	int c, n, no = 0, i = 0, j = 0, ret = SG_EXIT_OK;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h':
			printf("Usage: sipguard profiles [NAME|FILE] [--json]\n"
			       "Without argument: lists the profiles a NAME finds, as NAME MODE FROM DESCRIPTION:\n"
			       "  shipped   %s\n"
			       "  override  %s\n"
			       "With one: validates it and prints its effective settings (exit 2 if broken).\n"
			       "  --json      one JSON object: {\"schema\": \"sipguard/1\", \"profiles\": [...],\n"
			       "              \"shipped_dir\", \"override_dir\"}, or with NAME {\"schema\", \"profile\": {...}}\n"
			       "  -h, --help  this text\n",
			       sg_profile_dir(),
			       odir ? odir : "none ($SIPGUARD_PROFILES is set, or a build-tree binary)");
			if (odir)
				printf("A NAME.ini in %s replaces the shipped one of the same name.\n", odir);
			return SG_EXIT_OK;
		default:
			fprintf(stderr, "Usage: sipguard profiles [NAME|FILE] [--json]\n");
			return SG_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		pr_warn("profiles: at most one profile\n");
		return SG_EXIT_USAGE;
	}
	if (json)
		doc = sg_json_doc();
	if (argc - optind == 1) {
		sg_log_clear();
		if (sg_profile_load(argv[optind], &p)) {
			if (json) {
				sg_json_str(doc, "name", argv[optind]);
				sg_json_str(doc, "error", sg_log_first() ? sg_log_first() : "broken");
				sg_json_emit(doc);
			}
			return SG_EXIT_USAGE;
		}
		if (json) {
			json_object_object_add(doc, "profile", show_json(&p));
			sg_json_emit(doc);
		} else {
			show(&p);
		}
		sg_profile_free(&p);
		return SG_EXIT_OK;
	}
	n = scan(sg_profile_dir(), &shipped);
	if (odir)
		no = scan(odir, &over);
	if (n < 0 && no <= 0) {
		pr_warn("profiles: cannot read %s: set SIPGUARD_PROFILES to the profile directory\n",
			sg_profile_dir());
		if (json) {
			sg_json_str(doc, "error", sg_log_first());
			sg_json_emit(doc);
		}
		return SG_EXIT_ENV;
	}
	if (n < 0)
		n = 0;
	if (no < 0)
		no = 0;
	if (json)
		arr = sg_json_arr(doc, "profiles");
	/* both lists are sorted: merge them, a name in both once */
	while (i < n || j < no) {
		int c = i == n ? 1 : j == no ? -1 : strcmp(shipped[i]->d_name, over[j]->d_name);

		list_one(c <= 0 ? shipped[i]->d_name : over[j]->d_name, &ret, arr);
		if (c <= 0)
			free(shipped[i++]);
		if (c >= 0)
			free(over[j++]);
	}
	free(shipped);
	free(over);
	if (json) {
		sg_json_str(doc, "shipped_dir", sg_profile_dir());
		sg_json_str(doc, "override_dir", odir);
		sg_json_emit(doc);
		return ret;
	}
	printf("\nshipped:  %s%s\n", sg_profile_dir(),
	       getenv("SIPGUARD_PROFILES") && *getenv("SIPGUARD_PROFILES") ? " ($SIPGUARD_PROFILES)"
	       : odir ? "" : " (source tree: build-tree binary)");
	if (odir)
		printf("override: %s (NAME.ini there replaces the shipped NAME)\n", odir);
	return ret;
}
