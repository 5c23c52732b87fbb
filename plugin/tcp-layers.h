/* tcp-layers.h — the TCP layers of the frame being dissected, read without a tree.
 *
 * tcplife wants no fields: a post-dissector that wants any makes tshark build
 * every dissector's tree on every packet, which would cost more than all of
 * tcplife. Each TCP layer's ports come from the proto data TCP leaves for every
 * layer; the header is found in the bytes behind its IP header and decoded
 * there; tcp.stream comes from TCP's conversation for those addresses and
 * ports. TCP headers quoted inside ICMP/ICMPv6 errors are no packets of a
 * connection: they are read apart (tcp_layers_read_quote).
 */
#ifndef TCPLIFE_TCP_LAYERS_H
#define TCPLIFE_TCP_LAYERS_H

#include <epan/packet.h>

#include "lifecycle.h"

#define TCP_LAYERS_MAX 4

typedef struct {
    tl_segment seg;
    guint32    tcp_stream;
    address    src;         /* the addresses the segment travelled between; */
    address    dst;         /* they point into the packet's bytes */
} tcp_layer;

/* Resolve TCP's protocol and port field ids (at handoff). */
void tcp_layers_init(void);
/* Forget what points into the file's conversations (file open and close). */
void tcp_layers_forget(void);

/* Where an ICMP/ICMPv6 error's quoted TCP header is, from the same walk of
 * the frame's layers that finds its TCP layers. */
typedef struct {
    int      layer;         /* its layer number; 0: the frame quotes none */
    gboolean v6;            /* quoted by ICMPv6 */
} tcp_quoted;

/* Read the TCP layers of the frame being dissected (first pass), outer first.
 * Fills seg except from_a; returns how many layers were read, and says in
 * *quoted where a quoted header is. */
guint tcp_layers_read(packet_info *pinfo, tcp_layer *out, guint max, tcp_quoted *quoted);

/* The start of a TCP segment quoted in an ICMP or ICMPv6 error. */
typedef struct {
    tcp_layer layer;        /* seg: ports, seq, frame and time */
    guint8    type;         /* of the ICMP or ICMPv6 error */
    guint8    code;
    gboolean  v6;           /* ICMPv6 */
} tcp_quote;

/* Read the TCP header quoted in the frame's ICMP/ICMPv6 error (first pass):
 * FALSE when there is none, the error is not one that quotes a datagram, the
 * quote carries a tunnel, or it holds less than 16 bytes of the TCP header. */
gboolean tcp_layers_read_quote(packet_info *pinfo, const tcp_quoted *quoted, tcp_quote *out);

#endif /* TCPLIFE_TCP_LAYERS_H */
