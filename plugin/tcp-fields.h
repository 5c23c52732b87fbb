/* tcp-fields.h — what tcplife reads from Wireshark's TCP dissection.
 *
 * Three fields are wanted (tcp.srcport for the header's position, tcp.stream,
 * tcp.len); everything else is decoded from the header bytes themselves, so
 * priming stays cheap. TCP headers quoted inside ICMP/ICMPv6 errors are
 * skipped: they belong to no connection's life.
 */
#ifndef TCPLIFE_TCP_FIELDS_H
#define TCPLIFE_TCP_FIELDS_H

#include <epan/packet.h>

#include "lifecycle.h"

#define TCP_FIELDS_MAX_LAYERS 4

typedef struct {
    tl_segment seg;
    guint32    tcp_stream;
} tcp_layer;

/* Resolve the wanted fields and tell epan to keep them for this post-dissector. */
void tcp_fields_want(dissector_handle_t handle);

/* Read the TCP layers of the frame being dissected (first pass), outer first.
 * Fills seg except from_a; returns how many layers were read. */
guint tcp_fields_read(packet_info *pinfo, proto_tree *tree, tcp_layer *out, guint max);

#endif /* TCPLIFE_TCP_FIELDS_H */
