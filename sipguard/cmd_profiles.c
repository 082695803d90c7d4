// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard profiles [NAME|FILE]: list shipped profiles, or show one's
 * effective settings (after validating it). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "profile.h"

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

static void print_fields(__u32 f)
{
	static const char *names[] = { "ua", "from", "to", "contact", "call-id", "start-line",
				       "via", "subject" };
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
			printf("             prefilter: off (a pattern is shorter than 3 bytes)\n");
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

static void list_one(const char *file, int *ret)
{
	char name[256], path[4352];
	struct sg_profile p;
	bool override;

	snprintf(name, sizeof(name), "%.*s", (int)strlen(file) - 4, file);
	if (sg_profile_find(name, path, sizeof(path), &override)) /* gone meanwhile */
		return;
	if (sg_profile_load(path, &p) == 0) {
		printf("%-10s %-8s %-8s %s\n", name, p.cfg.flags & SG_F_MONITOR ? "monitor" : "enforce",
		       override ? "override" : "shipped", p.description);
		sg_profile_free(&p);
	} else {
		printf("%-10s BROKEN   %-8s see the error above; 'sipguard profiles %s' shows it\n",
		       name, override ? "override" : "shipped", path);
		*ret = SG_EXIT_USAGE;
	}
}

int cmd_profiles(int argc, char **argv)
{
	struct dirent **shipped, **over = NULL;
	const char *odir = sg_profile_override_dir();
	struct sg_profile p;
	int n, no = 0, i = 0, j = 0, ret = SG_EXIT_OK;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: sipguard profiles [NAME|FILE]\n"
		       "Without argument: lists the profiles a NAME finds, as NAME MODE FROM DESCRIPTION:\n"
		       "  shipped   %s\n"
		       "  override  %s\n"
		       "With one: validates it and prints its effective settings (exit 2 if broken).\n",
		       sg_profile_dir(),
		       odir ? odir : "none ($SIPGUARD_PROFILES is set, or a build-tree binary)");
		if (odir)
			printf("A NAME.ini in %s replaces the shipped one of the same name.\n", odir);
		return SG_EXIT_OK;
	}
	if (argc > 2) {
		pr_warn("profiles: at most one profile\n");
		return SG_EXIT_USAGE;
	}
	if (argc == 2) {
		if (sg_profile_load(argv[1], &p))
			return SG_EXIT_USAGE;
		show(&p);
		sg_profile_free(&p);
		return SG_EXIT_OK;
	}
	n = scan(sg_profile_dir(), &shipped);
	if (odir)
		no = scan(odir, &over);
	if (n < 0 && no <= 0) {
		pr_warn("profiles: cannot read %s: set SIPGUARD_PROFILES to the profile directory\n",
			sg_profile_dir());
		return SG_EXIT_ENV;
	}
	if (n < 0)
		n = 0;
	if (no < 0)
		no = 0;
	/* both lists are sorted: merge them, a name in both once */
	while (i < n || j < no) {
		int c = i == n ? 1 : j == no ? -1 : strcmp(shipped[i]->d_name, over[j]->d_name);

		list_one(c <= 0 ? shipped[i]->d_name : over[j]->d_name, &ret);
		if (c <= 0)
			free(shipped[i++]);
		if (c >= 0)
			free(over[j++]);
	}
	free(shipped);
	free(over);
	printf("\nshipped:  %s%s\n", sg_profile_dir(),
	       getenv("SIPGUARD_PROFILES") && *getenv("SIPGUARD_PROFILES") ? " ($SIPGUARD_PROFILES)"
	       : odir ? "" : " (source tree: build-tree binary)");
	if (odir)
		printf("override: %s (NAME.ini there replaces the shipped NAME)\n", odir);
	return ret;
}
