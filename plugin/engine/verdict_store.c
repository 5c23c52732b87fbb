/* verdict_store.c — the kept verdicts of the capture, and the ACK links between them.
 *
 * A connection's kept verdicts form a chain, newest first. Naming the previous
 * one by a 32-bit index into one store instead of a pointer makes a verdict 40
 * bytes, not 48; the store never moves a verdict, so pointers to them stay
 * valid too. The rare links between a wrong ACK and the packet that corrects
 * it live in a small map beside the store instead of in every verdict.
 */
#include "verdict_store.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_LEN 1024u

static tl_verdict **chunks;
static uint32_t n_chunks;
static uint32_t n_stored;

/* ACK links by (frame, connection id): open addressing, at most half full. */
typedef struct {
    uint32_t frame;         /* 0: free (frames are numbered from 1) */
    uint32_t conn_id;
    uint32_t link;
} ack_link;

static ack_link *links;
static uint32_t links_mask;     /* slots - 1, when links */
static uint32_t links_used;

void tl_store_clear(void)
{
    for (uint32_t i = 0; i < n_chunks; i++)
        free(chunks[i]);
    free(chunks);
    chunks = NULL;
    n_chunks = 0;
    n_stored = 0;
    free(links);
    links = NULL;
    links_mask = 0;
    links_used = 0;
}

uint32_t tl_store(const tl_verdict *v)
{
    if (n_stored == UINT32_MAX - 1)
        return 0;
    if (n_stored == n_chunks * CHUNK_LEN) {
        tl_verdict **grown = realloc(chunks, (n_chunks + 1) * sizeof *chunks);
        if (!grown)
            return 0;
        chunks = grown;
        if (!(chunks[n_chunks] = malloc(CHUNK_LEN * sizeof **chunks)))
            return 0;
        n_chunks++;
    }
    chunks[n_stored / CHUNK_LEN][n_stored % CHUNK_LEN] = *v;
    return ++n_stored;
}

/* The engine may amend a stored verdict (states, ACK flags); callers only read. */
tl_verdict *tl_store_at(uint32_t index)
{
    if (!index || index > n_stored)
        return NULL;
    index--;
    return &chunks[index / CHUNK_LEN][index % CHUNK_LEN];
}

const tl_verdict *tl_stored(uint32_t index)
{
    return tl_store_at(index);
}

uint32_t tl_stored_count(void)
{
    return n_stored;
}

static uint32_t link_hash(uint32_t frame, uint32_t conn_id)
{
    return (frame * 2654435761u) ^ (conn_id * 2246822519u);
}

static ack_link *link_slot(uint32_t frame, uint32_t conn_id)
{
    uint32_t i = link_hash(frame, conn_id) & links_mask;
    while (links[i].frame && !(links[i].frame == frame && links[i].conn_id == conn_id))
        i = (i + 1) & links_mask;
    return &links[i];
}

void tl_store_set_ack_link(uint32_t frame, uint32_t conn_id, uint32_t link)
{
    if (!frame)
        return;
    if (2 * (links_used + 1) > (links ? links_mask + 1 : 0)) {
        uint32_t slots = links ? 2 * (links_mask + 1) : 64;
        ack_link *old = links;
        uint32_t old_slots = links ? links_mask + 1 : 0;
        if (!(links = calloc(slots, sizeof *links))) {
            links = old;
            return;
        }
        links_mask = slots - 1;
        for (uint32_t i = 0; i < old_slots; i++) {
            if (old[i].frame)
                *link_slot(old[i].frame, old[i].conn_id) = old[i];
        }
        free(old);
    }
    ack_link *slot = link_slot(frame, conn_id);
    if (!slot->frame)
        links_used++;
    slot->frame = frame;
    slot->conn_id = conn_id;
    slot->link = link;
}

uint32_t tl_verdict_ack_link(const tl_verdict *v)
{
    if (!links || !(v->ack_wrong || v->ack_corrects))
        return 0;
    const ack_link *slot = link_slot(v->frame, v->conn_id);
    return slot->frame ? slot->link : 0;
}
