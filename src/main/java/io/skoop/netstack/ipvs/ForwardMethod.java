package io.skoop.netstack.ipvs;

/**
 * How IPVS sends a connection to a real server (ipvsadm(8) "packet-forwarding-method";
 * kernel net/netfilter/ipvs/ip_vs_xmit.c).
 */
public enum ForwardMethod {
    /** {@code -m}, masquerading: DNAT to the real server (kube-proxy's mode). */
    MASQUERADING,
    /** {@code -g}, gatewaying / direct routing: the frame is sent to the real server's MAC unchanged. */
    GATEWAYING,
    /** {@code -i}, ipip tunnelling to the real server. */
    TUNNELING;

    /** The method of an ipvsadm switch ({@code -m}, {@code -g}, {@code -i} or their long forms), or null when it is none. */
    public static ForwardMethod ofSwitch(String s) {
        return switch (s) {
            case "-m", "--masquerading" -> MASQUERADING;
            case "-g", "--gatewaying" -> GATEWAYING;
            case "-i", "--ipip" -> TUNNELING;
            default -> null;
        };
    }
}
