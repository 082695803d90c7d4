/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* What `sipguard sync` leaves for status and stats: the etcd revision of
 * the desired state last applied, in SIPGUARD_STATE_DIR/sync.revision. */
#ifndef SG_SYNC_H
#define SG_SYNC_H

/* The revision last applied by sync, -1 if none. */
long long sg_sync_revision(void);

#endif
