package io.skoop.model;

/** What a NetNode did with a packet (seed: send, forward, service, serve). */
public enum ActionType {
    /** originated the packet */
    SEND,
    /** routed or bridged it onward */
    FORWARD,
    /** translated it for a Service (DNAT to a backend) */
    SERVICE,
    /** delivered it to a listening socket */
    SERVE
}
