package io.skoop.lab.topology;

import java.util.List;
import java.util.Locale;

/**
 * kube-proxy's mode in a lab cluster: the topology's {@code proxyMode} key, as kube-proxy's {@code --proxy-mode}
 * flag and its KubeProxyConfiguration's {@code mode} field spell it. kube-proxy on Linux defaults to
 * {@code iptables} ({@code platformApplyDefaults} in kubernetes {@code cmd/kube-proxy/app/server_linux.go}), and so
 * does the lab. IPVS cannot be built here (this kernel has no ip_vs).
 */
public enum ProxyMode {
    /** {@code pkg/proxy/iptables}: KUBE-SERVICES and friends in iptables' nat and filter tables. */
    IPTABLES("iptables"),
    /** {@code pkg/proxy/nftables}: the {@code ip kube-proxy} nftables table; no KUBE-* iptables chains. */
    NFTABLES("nftables");

    /** The modes a topology may name, as written. */
    public static final List<String> SUPPORTED = java.util.Arrays.stream(values()).map(ProxyMode::text).toList();

    private final String text;

    ProxyMode(String text) {
        this.text = text;
    }

    /** The mode as written in a topology, a KubeProxyConfiguration and the snapshot's {@code proxyMode}. */
    public String text() {
        return text;
    }

    /** The mode written {@code text} (case-insensitive), or null when there is none such. */
    public static ProxyMode of(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        for (ProxyMode m : values()) {
            if (m.text.equals(t)) {
                return m;
            }
        }
        return null;
    }
}
