// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Userspace environment for sip_parse.h: packet reads from memory, maps as
 * arrays and callbacks. */
#include <string.h>
#include <stddef.h>
#include "sip_parse_user.h"

typedef const struct sg_uenv *sg_env_t;

static int sg_env_load(sg_env_t env, __u32 off, void *dst, __u32 len)
{
	if (off > env->len || len > env->len - off)
		return -1;
	memcpy(dst, env->pkt + off, len);
	return 0;
}

/* The judged packet's environment: the parser's lookups take no env
 * argument (in the kernel they are global maps), so it is per thread. */
static __thread const struct sg_uenv *sg_cur_env;
static __thread __u32 sg_cur_dfa_rows;

static const struct sg_dfa_row *sg_env_dfa_row(__u32 state)
{
	return sg_cur_env->dfa && state < sg_cur_dfa_rows ? &sg_cur_env->dfa[state] : NULL;
}

static const struct sg_dfa_fast *sg_env_dfa_fast(void)
{
	return sg_cur_env->dfa_fast;
}

static int sg_env_own_host(const struct sg_host_key *key)
{
	return sg_cur_env->own_host && sg_cur_env->own_host(sg_cur_env->opaque, key);
}

static int sg_env_peer(const struct sg_peer_key *key)
{
	return sg_cur_env->peer && sg_cur_env->peer(sg_cur_env->opaque, key);
}

__thread struct sg_pf_counts sg_pf_counts;

#include "sip_parse.h"

__u32 sg_user_judge(const struct sg_uenv *env, const struct sg_config *cfg)
{
	static __thread struct sg_scratch scratch;

	if (cfg->version != SG_CONFIG_VERSION)
		return SG_PASS_SIP;
	sg_cur_env = env;
	sg_cur_dfa_rows = cfg->dfa_states;
	return sg_judge(env, env->len, &scratch, cfg);
}

void sg_user_dfa_fast(const struct sg_dfa_row *rows, __u32 n, struct sg_dfa_fast *fast)
{
	memset(fast, 0, sizeof(*fast));
	for (__u32 st = 0; st < n && st < SG_DFA_FAST_STATES; st++) {
		for (__u32 c = 0; c < SG_DFA_CLASSES; c++) {
			__u32 t = rows[st].next[c];

			fast->next[st * SG_DFA_CLASSES + c] =
				t >= SG_DFA_FAST_STATES || t >= n ? SG_DFA_FAST_DEEP
				: (__u16)(t << 7 | (rows[t].accept ? SG_DFA_FAST_ACCEPT : 0));
		}
		fast->accept[st] = rows[st].accept;
	}
}

__u32 sg_user_wrap_udp4(const void *payload, __u32 len, __u16 dport, __u8 *out)
{
	static const __u8 ip[20] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0,
				     198, 51, 100, 20, 192, 0, 2, 10 };
	__u32 tot = len + 28;

	memcpy(out, ip, 20);
	out[2] = tot >> 8;
	out[3] = tot & 0xff;
	out[20] = 5060 >> 8;
	out[21] = 5060 & 0xff;
	out[22] = dport >> 8;
	out[23] = dport & 0xff;
	out[24] = (len + 8) >> 8;
	out[25] = (len + 8) & 0xff;
	out[26] = out[27] = 0;
	memcpy(out + 28, payload, len);
	return tot;
}
