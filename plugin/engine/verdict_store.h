/* verdict_store.h — what the engine itself does to stored verdicts (the
 * public half of the store is in lifecycle.h). */
#ifndef TCPLIFE_VERDICT_STORE_H
#define TCPLIFE_VERDICT_STORE_H

#include "lifecycle.h"

/* A stored verdict the engine may amend (states, ACK flags), or NULL. */
tl_verdict *tl_store_at(uint32_t index);

/* Record the ACK link of the verdict of conn_id in frame (tl_verdict_ack_link). */
void tl_store_set_ack_link(uint32_t frame, uint32_t conn_id, uint32_t link);

#endif /* TCPLIFE_VERDICT_STORE_H */
