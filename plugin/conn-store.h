/* conn-store.h — file-scope storage of connections and verdicts.
 *
 * Nothing is kept per frame. A frame is one of:
 *   - a kept frame: its verdicts are stored, in frame order, so a binary
 *     search by frame finds them;
 *   - a plain data or ACK packet: it takes its states from the newest kept
 *     verdict of its connection before it, found again on a later pass from
 *     the packet itself (its tcp.stream and the connection's verdict chain);
 *   - a frame whose view cannot be derived that way (an ICMP error quoting a
 *     connection, data after the peer's FIN, a segment that could not be
 *     analysed): it keeps a 32-bit code in a short list of notes, also in
 *     frame order:
 *       bits 0-2  kind
 *       bit  3    the packet (the quoted one, for ICMP) came from the server
 *       bits 4-31 1-based index of the newest kept verdict of its connection
 */
#ifndef TCPLIFE_CONN_STORE_H
#define TCPLIFE_CONN_STORE_H

#include <glib.h>
#include <epan/address.h>

#include "lifecycle.h"

typedef enum {
    FRAME_KIND_NONE = 0,        /* nothing to show */
    FRAME_KIND_KEPT,            /* verdicts stored for this frame */
    FRAME_KIND_DATA,
    FRAME_KIND_ACK,
    FRAME_KIND_DATA_AFTER_FIN,
    FRAME_KIND_ICMP_ERROR,      /* an ICMP error quoting a segment the connection sent */
    FRAME_KIND_ICMP_ERROR_UNSENT    /* ... quoting a sequence number its end never sent */
} frame_kind;

#define FRAME_CODE(kind, from_server, high)  ((guint32)(high) << 4 | (guint32)(from_server) << 3 | (guint32)(kind))
#define FRAME_CODE_KIND(code)         ((frame_kind)((code) & 7))
#define FRAME_CODE_FROM_SERVER(code)  (((code) >> 3) & 1)
#define FRAME_CODE_HIGH(code)         ((code) >> 4)
#define FRAME_CODE_HIGH_MAX           0x0FFFFFFFu

/* One connection, at a fixed address for the whole capture: the engine
 * record, its 4-tuple and which endpoint of it is A (its first sender). */
typedef struct {
    tl_conn    conn;
    guint32    tuple : 31;      /* handle of its 4-tuple in the store */
    guint32    a_idx : 1;
    guint32    last_gap;        /* index of the newest gap record, 0 if none */
    guint32    tcp_stream;
    guint16    port[2];         /* of end a, end b: most packets' direction without the 4-tuple record */
} conn_rec;

/* The plain data after one kept verdict, up to the next: only the few kept
 * packets that data followed have one, so verdicts need no counters. */
typedef struct {
    tl_gap     gap;
    guint32    verdict;         /* index of that kept verdict */
    guint32    prev;            /* the connection's previous gap record, 0 if none */
} gap_rec;

/* One per connection for the whole capture (tests/unit/test_layout.c bounds tl_conn). */
G_STATIC_ASSERT(sizeof(conn_rec) <= 256);

void conn_store_init(void);
void conn_store_cleanup(void);

/* The connection now open on a tcp.stream, or NULL. */
conn_rec *conn_store_current(guint32 tcp_stream);
/* Start a new connection on tcp.stream, first sent from src:sport to dst:dport;
 * *prev is set to the previous connection on the same 4-tuple, or NULL.
 * Returns NULL when the slot space is used up. */
conn_rec *conn_store_open(guint32 tcp_stream, const address *src, guint16 sport,
                          const address *dst, guint16 dport, conn_rec **prev);

/* Is there room for a frame of n TCP layers (n connections and n verdicts)? */
gboolean conn_store_has_room(guint n);
/* Store a copy of v for the whole capture (tl_store); returns its 1-based
 * index, 0 when memory ran out. Needs conn_store_has_room. */
guint32 conn_store_add_verdict(const tl_verdict *v);
/* A stored verdict by index, or NULL. */
const tl_verdict *conn_store_verdict(guint32 index);
/* Add plain data that followed rec's newest kept verdict. */
void conn_store_add_gap(conn_rec *rec, const tl_gap *gap);
/* A gap record by index (1-based, as conn_rec.last_gap), or NULL. */
const gap_rec *conn_store_gap(guint32 index);
/* 1-based index of the first verdict stored for frame, 0 if none. */
guint32 conn_store_first_verdict(guint32 frame);
/* The newest kept verdict of rec at or before frame, or NULL; a long chain
 * gets an index, so this is never a walk of more than a few links. */
const tl_verdict *conn_store_verdict_at(const conn_rec *rec, guint32 frame);
/* The kept verdict of conn in frame (a tl_kept_finder). */
const tl_verdict *conn_store_find_kept(const tl_conn *conn, guint32 frame);

/* Is src:sport the A end of the connection? */
gboolean conn_store_from_a(const conn_rec *rec, const address *src, guint16 sport);
conn_rec *conn_store_get(guint32 slot);
guint32 conn_store_count(void);

/* "address:port" ("[address]:port" for IPv6) of the client or server end; g_free it. */
char *conn_store_endpoint(const conn_rec *rec, tl_role role);

/* The connection of tcp.stream that frame belongs to, or NULL; *v is its
 * newest kept verdict at or before frame. */
conn_rec *conn_store_at(guint32 tcp_stream, guint32 frame, const tl_verdict **v);

/* Note the code of a frame whose view cannot be derived (first pass, in frame order). */
void conn_store_note_frame(guint32 frame, guint32 code);
/* A noted frame's code; FALSE if the frame has no note. */
gboolean conn_store_frame_note(guint32 frame, guint32 *code);
/* Remember which connection a derived plain frame belongs to, for
 * conn_store_of_frame outside a dissection (the GUI's ladder menu). */
void conn_store_remember(guint32 frame, const conn_rec *rec);

/* tl_conn_reuse_after against the previous incarnation; 0 without one. */
gint64 conn_store_reuse_after(const tl_conn *conn);

/* The connection a frame belongs to (the first, for several TCP layers), or
 * NULL; a plain frame only once it was dissected on a later pass. */
const conn_rec *conn_store_of_frame(guint32 frame);

#endif /* TCPLIFE_CONN_STORE_H */
