/* packet-tcplife.h — registration entry points called from plugin.c. */
#ifndef PACKET_TCPLIFE_H
#define PACKET_TCPLIFE_H

void proto_register_tcplife(void);
void proto_reg_handoff_tcplife(void);

#endif /* PACKET_TCPLIFE_H */
