// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Libraries that only one command needs, loaded when that command first
 * calls them, not at every start of sipguard.
 *
 * Every run of sipguard (each enable, disable, status of a customer) pays
 * for loading its shared libraries before main: on a small VM this was the
 * larger part of an enable. libpcap (only `check` reads captures) brings 8
 * libraries with it (libdbus, libsystemd, libgcrypt, ...), libcurl (only
 * `sync` talks to etcd) 31 (OpenSSL, Kerberos, LDAP, ...): together 60 ms
 * more per start here, where an empty program starts in 10 (bench/RESULTS.md,
 * section 5). So the binary is linked with neither; the functions below
 * have the libraries' own names and signatures, dlopen() the library on
 * their first call and jump to the real function. The callers (cmd_check.c, capture.c,
 * etcd.c, main.c) are unchanged. The sonames come from the build
 * (CMakeLists.txt: SG_SONAME_*); the package's Depends names them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <pcap/pcap.h>
#define CURL_DISABLE_TYPECHECK /* the real functions, not the type-checking macros */
#include <curl/curl.h>

#include "log.h"

#ifndef SG_SONAME_PCAP
#define SG_SONAME_PCAP "libpcap.so.0.8"
#endif
#ifndef SG_SONAME_CURL
#define SG_SONAME_CURL "libcurl.so.4"
#endif

/* The address of NAME in SONAME (loaded once), or NULL with the reason in
 * ERR (when given). */
static void *lazy_sym(void **handle, const char *soname, const char *name, char *err, size_t n)
{
	void *f;

	if (!*handle)
		*handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!*handle) {
		if (err)
			snprintf(err, n, "cannot load %s: %s", soname, dlerror());
		return NULL;
	}
	f = dlsym(*handle, name);
	if (!f && err)
		snprintf(err, n, "%s: no %s: %s", soname, name, dlerror());
	return f;
}

/* A function of the library that cannot fail to be there once the
 * library is loaded (a handle the caller holds came from it). */
#define LAZY(lib, soname, ret, name, params, args)                                  \
	ret name params                                                             \
	{                                                                           \
		static ret(*real) params;                                           \
		char err[512];                                                      \
		if (!real && !(real = lazy_sym(&lib, soname, #name, err, sizeof(err)))) { \
			pr_warn("%s\n", err);                                       \
			abort();                                                    \
		}                                                                   \
		return real args;                                                   \
	}

/* ---- libpcap (check) ---- */
static void *pcap_lib;

pcap_t *pcap_open_offline(const char *fname, char *errbuf)
{
	static pcap_t *(*real)(const char *, char *);

	if (!real && !(real = lazy_sym(&pcap_lib, SG_SONAME_PCAP, "pcap_open_offline", errbuf,
				       PCAP_ERRBUF_SIZE)))
		return NULL; /* the caller prints errbuf */
	return real(fname, errbuf);
}

LAZY(pcap_lib, SG_SONAME_PCAP, int, pcap_datalink, (pcap_t *p), (p))
LAZY(pcap_lib, SG_SONAME_PCAP, const char *, pcap_datalink_val_to_name, (int dlt), (dlt))
LAZY(pcap_lib, SG_SONAME_PCAP, int, pcap_next_ex,
     (pcap_t *p, struct pcap_pkthdr **h, const u_char **d), (p, h, d))
LAZY(pcap_lib, SG_SONAME_PCAP, char *, pcap_geterr, (pcap_t *p), (p))

void pcap_close(pcap_t *p)
{
	static void (*real)(pcap_t *);
	char err[512];

	if (!real && !(real = lazy_sym(&pcap_lib, SG_SONAME_PCAP, "pcap_close", err, sizeof(err)))) {
		pr_warn("%s\n", err);
		abort();
	}
	real(p);
}

/* events --pcap: the first call of a capture writer says why when libpcap
 * is missing (the caller then fails as on pcap_open_dead's own NULL). */
pcap_t *pcap_open_dead(int linktype, int snaplen)
{
	static pcap_t *(*real)(int, int);
	char err[512];

	if (!real && !(real = lazy_sym(&pcap_lib, SG_SONAME_PCAP, "pcap_open_dead", err, sizeof(err)))) {
		pr_warn("%s\n", err);
		return NULL;
	}
	return real(linktype, snaplen);
}

LAZY(pcap_lib, SG_SONAME_PCAP, pcap_dumper_t *, pcap_dump_open, (pcap_t *p, const char *fname),
     (p, fname))

void pcap_dump(u_char *user, const struct pcap_pkthdr *h, const u_char *sp)
{
	static void (*real)(u_char *, const struct pcap_pkthdr *, const u_char *);
	char err[512];

	if (!real && !(real = lazy_sym(&pcap_lib, SG_SONAME_PCAP, "pcap_dump", err, sizeof(err)))) {
		pr_warn("%s\n", err);
		abort();
	}
	real(user, h, sp);
}

LAZY(pcap_lib, SG_SONAME_PCAP, int, pcap_dump_flush, (pcap_dumper_t *p), (p))

void pcap_dump_close(pcap_dumper_t *p)
{
	static void (*real)(pcap_dumper_t *);
	char err[512];

	if (!real && !(real = lazy_sym(&pcap_lib, SG_SONAME_PCAP, "pcap_dump_close", err, sizeof(err)))) {
		pr_warn("%s\n", err);
		abort();
	}
	real(p);
}

/* ---- libcurl (sync) ---- */
static void *curl_lib;

/* The first call of every sync run: says why when libcurl is missing; the
 * calls after it then fail as curl's own do (curl_easy_init: NULL). */
CURLcode curl_global_init(long flags)
{
	static CURLcode (*real)(long);
	char err[512];

	if (!real && !(real = lazy_sym(&curl_lib, SG_SONAME_CURL, "curl_global_init", err, sizeof(err)))) {
		pr_warn("%s\n", err);
		return CURLE_FAILED_INIT;
	}
	return real(flags);
}

CURL *curl_easy_init(void)
{
	static CURL *(*real)(void);

	if (!real && !(real = lazy_sym(&curl_lib, SG_SONAME_CURL, "curl_easy_init", NULL, 0)))
		return NULL;
	return real();
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	static struct curl_slist *(*real)(struct curl_slist *, const char *);

	if (!real && !(real = lazy_sym(&curl_lib, SG_SONAME_CURL, "curl_slist_append", NULL, 0)))
		return NULL;
	return real(l, s);
}

/* The option's argument by its type (curl.h: CURLOPTTYPE_* ranges). */
CURLcode curl_easy_setopt(CURL *c, CURLoption o, ...)
{
	static CURLcode (*real)(CURL *, CURLoption, ...);
	CURLcode r;
	va_list ap;

	if (!real && !(real = lazy_sym(&curl_lib, SG_SONAME_CURL, "curl_easy_setopt", NULL, 0)))
		return CURLE_FAILED_INIT;
	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		r = real(c, o, va_arg(ap, long));
	else if (o < CURLOPTTYPE_FUNCTIONPOINT)
		r = real(c, o, va_arg(ap, void *));
	else if (o < CURLOPTTYPE_OFF_T)
		r = real(c, o, va_arg(ap, void (*)(void)));
	else if (o < CURLOPTTYPE_BLOB)
		r = real(c, o, va_arg(ap, curl_off_t));
	else
		r = real(c, o, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* Every CURLINFO takes a pointer to where the value goes. */
CURLcode curl_easy_getinfo(CURL *c, CURLINFO i, ...)
{
	static CURLcode (*real)(CURL *, CURLINFO, ...);
	CURLcode r;
	va_list ap;

	if (!real && !(real = lazy_sym(&curl_lib, SG_SONAME_CURL, "curl_easy_getinfo", NULL, 0)))
		return CURLE_FAILED_INIT;
	va_start(ap, i);
	r = real(c, i, va_arg(ap, void *));
	va_end(ap);
	return r;
}

LAZY(curl_lib, SG_SONAME_CURL, CURLcode, curl_easy_perform, (CURL *c), (c))
LAZY(curl_lib, SG_SONAME_CURL, const char *, curl_easy_strerror, (CURLcode e), (e))

void curl_slist_free_all(struct curl_slist *l)
{
	static void (*real)(struct curl_slist *);

	if (!l)
		return;
	if (!real && !(real = lazy_sym(&curl_lib, SG_SONAME_CURL, "curl_slist_free_all", NULL, 0)))
		return;
	real(l);
}

void curl_easy_cleanup(CURL *c)
{
	static void (*real)(CURL *);

	if (!c)
		return;
	if (!real && !(real = lazy_sym(&curl_lib, SG_SONAME_CURL, "curl_easy_cleanup", NULL, 0)))
		return;
	real(c);
}

/* sipguard -v --version: the library's version, or why there is none. */
curl_version_info_data *curl_version_info(CURLversion v)
{
	static curl_version_info_data *(*real)(CURLversion);
	static curl_version_info_data none;
	static char why[600];

	if (!real && !(real = lazy_sym(&curl_lib, SG_SONAME_CURL, "curl_version_info", why, sizeof(why)))) {
		none.version = why;
		return &none;
	}
	return real(v);
}
