// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* sipguard sync: the fleet agent. The desired state of this host is kept
 * in etcd, one key per customer (PREFIX/NAME holds the text of NAME.conf,
 * sipguard-customer(5)). sync reads every key under the prefix at one
 * revision, applies that whole state as one plan (apply.h), records the
 * revision, and watches the prefix from the next one; any change under it
 * means: read everything again at the new revision and apply that. Never
 * a key at a time, so a transaction that changes several customers is
 * applied whole or not at all. When etcd or the network goes away: back
 * off, then read everything again (the watch resumes after the revision
 * read). A full read also happens every --resync seconds (it repairs what
 * the kernel lost, and finds a peer that vanished without a word). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "apply.h"
#include "commands.h"
#include "etcd.h"
#include "guard.h"
#include "log.h"
#include "sgjson.h"
#include "state.h"
#include "sync.h"

#define BACKOFF_MIN 0.2
#define BACKOFF_MAX 5.0

/* ---------------------------------------------------------------- the revision file */

static void revision_path(char *buf, size_t n, bool tmp)
{
	snprintf(buf, n, "%s/sync.revision%s", sg_state_dir(), tmp ? ".tmp" : "");
}

long long sg_sync_revision(void)
{
	char path[PATH_MAX], line[256];
	long long rev = -1;
	FILE *f;

	revision_path(path, sizeof(path), false);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "revision = ", 11))
			rev = strtoll(line + 11, NULL, 10);
	fclose(f);
	return rev;
}

/* ---------------------------------------------------------------- the agent */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct sync {
	struct sg_etcd e;
	int64_t applied;           /* revision in force (0: none yet) */
	int64_t reading;           /* the revision being applied */
	unsigned int resync;       /* seconds between full reads */
	time_t next_full;          /* the next one */
	double backoff;            /* seconds before the next try after a failure */
	bool journal;              /* stdout is the journal: it stamps the time */
	bool json;                 /* --json: one object per event and line */
};

/* Says what the agent does: a line of text, or with --json one object
 * {"schema", "event": EVENT, "time", "revision" (REV >= 0), "message"}
 * added to DOC (NULL: a new one). */
static void __attribute__((format(printf, 5, 6)))
say(struct sync *s, struct json_object *doc, const char *event, long long rev, const char *fmt, ...)
{
	struct timespec ts;
	char t[64], msg[1024];
	struct tm tm;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(t + n, sizeof(t) - n, ".%03ld", ts.tv_nsec / 1000000);
	if (!s->json) {
		if (doc)
			json_object_put(doc);
		printf("%s%ssync: %s", s->journal ? "" : t, s->journal ? "" : " ", msg);
		fflush(stdout);
		return;
	}
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	if (!doc)
		doc = sg_json_doc();
	sg_json_str(doc, "event", event);
	sg_json_str(doc, "time", t);
	if (rev >= 0)
		sg_json_int(doc, "revision", rev);
	sg_json_str(doc, "message", msg);
	sg_json_emit(doc);
}

static bool interrupted(void *arg)
{
	struct sync *s = arg;

	return stop || time(NULL) >= s->next_full;
}

static void watch_created(void *arg)
{
	((struct sync *)arg)->backoff = BACKOFF_MIN;
}

/* Sleeps the back-off (with jitter), doubles it; false if asked to stop. */
static bool back_off(struct sync *s, const char *what, const char *err)
{
	double d = s->backoff * (0.8 + 0.4 * (double)rand() / RAND_MAX);
	struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };

	say(s, NULL, "retry", -1, "%s: %s; again in %.1f s\n", what, err, d);
	s->backoff = s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : s->backoff * 2;
	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
	return !stop;
}

/* Under the lock, after a plan at s->reading was executed whole. */
static int record(void *arg)
{
	struct sync *s = arg;
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;

	revision_path(tmp, sizeof(tmp), true);
	revision_path(path, sizeof(path), false);
	mkdir(sg_state_dir(), 0755);
	f = fopen(tmp, "we");
	if (!f) {
		pr_warn("cannot write %s: %s\n", tmp, strerror(errno));
		return SG_EXIT_FAIL;
	}
	fprintf(f, "# written by sipguard sync: the etcd revision of the desired state in force\n"
		   "revision = %lld\nprefix = %s\netcd = %s\n",
		(long long)s->reading, s->e.prefix, sg_etcd_url(&s->e));
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, path)) {
		pr_warn("cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return SG_EXIT_FAIL;
	}
	return SG_EXIT_OK;
}

/* Applies the whole desired state read at kvs->revision. QUIET: say
 * nothing when nothing changes (a periodic read). Returns an exit code. */
static int apply_snapshot(struct sync *s, const struct sg_etcd_kvs *kvs, bool quiet)
{
	struct sg_desired d = { .whole = true };
	struct json_object *doc = NULL;
	long long rev = (long long)kvs->revision;
	size_t plen = strlen(s->e.prefix);
	sigset_t term, old;
	bool changed;
	int rc = 0;

	snprintf(d.where, sizeof(d.where), "etcd %s at revision %lld", s->e.prefix, rev);
	sg_log_clear();
	for (unsigned int i = 0; i < kvs->n; i++) {
		const char *name = kvs->v[i].key + plen;

		if (strncmp(kvs->v[i].key, s->e.prefix, plen) || strchr(name, '/') || !*name) {
			pr_msg("%s:0: not a customer key: PREFIX/CUSTOMER expected (prefix %s)\n",
			       kvs->v[i].key, s->e.prefix);
			rc = SG_EXIT_USAGE;
			continue;
		}
		if (sg_desired_add(&d, kvs->v[i].key, name, kvs->v[i].value, kvs->v[i].len))
			rc = SG_EXIT_USAGE;
	}
	if (!rc && sg_desired_finish(&d))
		rc = SG_EXIT_USAGE;
	s->reading = kvs->revision;
	if (rc) {
		if (s->json) {
			doc = sg_json_doc();
			sg_json_str(doc, "error", sg_log_first() ? sg_log_first() : "failed");
			sg_json_int(doc, "exit_code", rc);
		}
		say(s, doc, "invalid", rev, "revision %lld: errors in the desired state under %s: "
		    "nothing changed (revision %lld stays in force)\n", rev, s->e.prefix,
		    (long long)s->applied);
		goto out;
	}
	/* the plan is printed when it changes something; SIGTERM waits for its end */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigprocmask(SIG_BLOCK, &term, &old);
	rc = sg_apply_desired(&d, SG_APPLY_QUIET | SG_APPLY_SYNC, s->json ? &doc : NULL, &changed,
			      record, s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!rc) {
		if (changed)
			say(s, doc, "applied", rev, "revision %lld applied (%u customer%s under %s)\n", rev,
			    d.n, d.n == 1 ? "" : "s", s->e.prefix);
		else if (!quiet)
			say(s, doc, "unchanged", rev,
			    "revision %lld: no change (%u customer%s under %s as desired)\n", rev, d.n,
			    d.n == 1 ? "" : "s", s->e.prefix);
		else if (doc)
			json_object_put(doc);
		s->applied = kvs->revision;
	} else {
		say(s, doc, "failed", rev, "revision %lld not applied (exit %d); revision %lld stays recorded\n",
		    rev, rc, (long long)s->applied);
	}
out:
	sg_desired_free(&d);
	return rc;
}

static void sync_usage(FILE *f)
{
	fprintf(f,
		"Usage: sipguard sync --etcd URL[,URL...] --prefix PREFIX [--resync SECONDS]\n"
		"                     [--once] [--json]\n"
		"The fleet agent: keeps this host's customers at the desired state kept in etcd\n"
		"under PREFIX (key PREFIX/CUSTOMER holds the text of CUSTOMER.conf, see\n"
		"sipguard-customer(5)), through etcd's v3 JSON gateway. Every change under the\n"
		"prefix is applied as one plan of the whole state at one revision (customers\n"
		"enabled here and not under the prefix are disabled); the revision applied is\n"
		"in %s/sync.revision (sipguard status).\n"
		"Runs until SIGTERM; keeps trying while etcd is away.\n"
		"  --etcd URL       etcd endpoint(s), http://HOST:PORT, comma-separated\n"
		"  --prefix PREFIX  this host's key prefix, e.g. /sipguard/hosts/edge1/\n"
		"  --resync SECONDS read everything again this often (default 60)\n"
		"  --once           apply the current state once and exit\n"
		"  --json           one JSON object per event and line: start, applied,\n"
		"                   unchanged, invalid, failed, retry, resync, stopped (an\n"
		"                   applied revision's has the plan, as apply --json; the\n"
		"                   plan's text goes to stderr)\n"
		"  -h, --help       this text\n"
		"Every change is audited (syslog, $SIPGUARD_AUDIT_LOG) with origin=sync.\n",
		sg_state_dir());
}

int cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "etcd", required_argument, NULL, 'e' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "resync", required_argument, NULL, 'r' },
		{ "once", no_argument, NULL, '1' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sync s;
	const char *urls = NULL, *prefix = NULL;
	/* SA_RESTART: a plan's system calls are not cut short (they are also
	 * blocked while a plan runs); the watch and the back-off notice stop
	 * within a second */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	bool once = false;
	int c, rc;

	memset(&s, 0, sizeof(s));
	s.resync = 60;
	while ((c = getopt_long(argc, argv, "e:p:r:1jh", opts, NULL)) != -1) {
		switch (c) {
		case 'e': urls = optarg; break;
		case 'p': prefix = optarg; break;
		case 'r': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (!*optarg || *end || v < 1 || v > 86400) {
				pr_warn("--resync: seconds, 1..86400\n");
				return SG_EXIT_USAGE;
			}
			s.resync = (unsigned int)v;
			break;
		}
		case '1': once = true; break;
		case 'j': s.json = true; break;
		case 'h': sync_usage(stdout); return SG_EXIT_OK;
		default: sync_usage(stderr); return SG_EXIT_USAGE;
		}
	}
	if (optind != argc || !urls || !prefix) {
		if (optind == argc)
			pr_warn("sync: --etcd URL and --prefix PREFIX are required\n");
		sync_usage(stderr);
		return SG_EXIT_USAGE;
	}
	if (sg_etcd_init(&s.e, urls, prefix))
		return SG_EXIT_USAGE;
	sg_log_clear();
	if ((rc = sg_require_root()))
		goto fail;
	s.e.interrupted = interrupted;
	s.e.arg = &s;
	s.backoff = BACKOFF_MIN;
	s.journal = getenv("JOURNAL_STREAM") != NULL;
	srand((unsigned int)(time(NULL) ^ getpid()));
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	say(&s, NULL, "start", -1, "etcd %s, prefix %s, state %s, full read every %u s\n", urls, s.e.prefix,
	     sg_state_dir(), s.resync);

	bool periodic = false;
	while (!stop) {
		struct sg_etcd_kvs kvs;
		char err[512];
		int w;

		if (sg_etcd_range(&s.e, &kvs, err, sizeof(err))) {
			if (once) {
				pr_warn("sync: %s\n", err);
				rc = SG_EXIT_FAIL;
				goto fail;
			}
			sg_etcd_next(&s.e);
			if (!back_off(&s, "etcd unreachable", err))
				break;
			continue;
		}
		rc = apply_snapshot(&s, &kvs, periodic);
		sg_etcd_kvs_free(&kvs);
		if (once)
			goto out;
		s.next_full = time(NULL) + s.resync;
		if (rc == SG_EXIT_FAIL || rc == SG_EXIT_ENV) {
			/* the host failed (not the desired state): try again soon */
			s.next_full = time(NULL) + (time_t)(s.backoff < 1 ? 1 : s.backoff);
			s.backoff = s.backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : s.backoff * 2;
		}
		periodic = false;
		w = sg_etcd_watch(&s.e, s.reading + 1, watch_created, err, sizeof(err));
		switch (w) {
		case SG_WATCH_CHANGED:
			break;
		case SG_WATCH_COMPACTED:
			say(&s, NULL, "resync", -1, "%s: reading everything again\n", err);
			break;
		case SG_WATCH_INTERRUPTED:
			periodic = !stop;
			break;
		default:
			sg_etcd_next(&s.e);
			if (!back_off(&s, "watch lost", err[0] ? err : "the stream ended"))
				goto done;
		}
	}
done:
	say(&s, NULL, "stopped", (long long)s.applied, "stopped; revision %lld in force\n",
	    (long long)s.applied);
	rc = SG_EXIT_OK;
	goto out;
fail:
	/* --json: a failure that is not a bad command line is an object too */
	if (s.json) {
		struct json_object *doc = sg_json_doc();

		sg_json_str(doc, "error", sg_log_first() ? sg_log_first() : "failed");
		sg_json_int(doc, "exit_code", rc);
		say(&s, doc, "failed", -1, "%s\n", sg_log_first() ? sg_log_first() : "failed");
	}
out:
	sg_etcd_free(&s.e);
	return rc;
}
