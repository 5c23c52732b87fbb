/* conn-store.h — file-scope storage of connections and per-frame codes.
 *
 * Every analysed frame gets one 32-bit code, indexed by frame number:
 *   bits 0-2  kind: a kept verdict (in proto data) or a plain data/ACK packet
 *   bit  3    the packet came from the server (plain kinds)
 *   bits 4-31 plain kinds: connection slot + 1; kept kind: number of verdicts
 * Plain packets take their states from the connection's kept verdicts, so
 * they cost 4 bytes each and no allocation.
 */
#ifndef TCPLIFE_CONN_STORE_H
#define TCPLIFE_CONN_STORE_H

#include <glib.h>
#include <epan/address.h>

#include "lifecycle.h"

typedef enum {
    FRAME_KIND_NONE = 0,
    FRAME_KIND_KEPT,            /* verdicts in p_get_proto_data(), keys 0..count-1 */
    FRAME_KIND_DATA,
    FRAME_KIND_ACK,
    FRAME_KIND_DATA_AFTER_FIN
} frame_kind;

#define FRAME_CODE(kind, from_server, high)  ((guint32)(high) << 4 | (guint32)(from_server) << 3 | (guint32)(kind))
#define FRAME_CODE_KIND(code)         ((frame_kind)((code) & 7))
#define FRAME_CODE_FROM_SERVER(code)  (((code) >> 3) & 1)
#define FRAME_CODE_HIGH(code)         ((code) >> 4)
#define FRAME_CODE_HIGH_MAX           0x0FFFFFFEu

/* One connection: the engine record and who "A" (its first sender) is. */
typedef struct {
    tl_conn  conn;
    address  a_src;             /* compared only when both ports are equal */
    guint32  tcp_stream;
    guint16  a_sport;
} conn_rec;

void conn_store_init(void);
void conn_store_cleanup(void);

/* The connection now open on a tcp.stream, or NULL. */
conn_rec *conn_store_current(guint32 tcp_stream);
/* Start a new connection on tcp.stream; NULL when the slot space is used up. */
conn_rec *conn_store_open(guint32 tcp_stream, guint16 a_sport, const address *a_src);
conn_rec *conn_store_get(guint32 slot);
guint32 conn_store_count(void);

void conn_store_set_frame(guint32 frame, guint32 code);
guint32 conn_store_frame(guint32 frame);

#endif /* TCPLIFE_CONN_STORE_H */
