package io.skoop.netstack.neigh;

import io.skoop.model.Ip;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One forwarding database entry as {@code bridge -j fdb show} prints it (bridge(8) "fdb";
 * iproute2 bridge/fdb.c; kernel net/bridge/br_fdb.c and drivers/net/vxlan/vxlan_core.c).
 *
 * <p>Entries flagged {@code self} belong to the device's own table (for a VXLAN device: which
 * remote VTEP a MAC lives behind, {@code dst}); entries with a {@code master} belong to the
 * bridge the port is enslaved to (which port a MAC is reached through).
 *
 * @param mac    the MAC address, lower case ({@code 00:00:00:00:00:00} is the VXLAN default/flood entry)
 * @param ifname the device (bridge port or VXLAN device)
 * @param master the bridge this entry belongs to, or null for a {@code self} entry
 * @param dst    the remote VTEP address of a VXLAN entry, or null
 * @param vlan   the VLAN id, or null
 * @param port   the remote UDP port of a VXLAN entry when it differs from the device's, or null
 * @param vni    the VNI of a VXLAN entry when it differs from the device's, or null
 * @param via    the device through which the remote is reached ({@code via} in bridge(8)), or null
 * @param flags  the flags as printed: {@code self}, {@code master}, {@code extern_learn},
 *               {@code router}, {@code offload}, {@code sticky}, ... (unknown ones kept as text)
 * @param state  the state text: {@code permanent}, {@code static}, {@code stale} or {@code ""}
 *               (a learned, dynamic entry)
 */
public record FdbEntry(String mac, String ifname, String master, Ip dst, Integer vlan, Integer port, Integer vni,
                       String via, List<String> flags, String state) {

    /** The all-zero MAC of the VXLAN default destination entries (flooding, unknown unicast). */
    public static final String ZERO_MAC = "00:00:00:00:00:00";

    public FdbEntry {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(ifname, "ifname");
        mac = mac.toLowerCase(Locale.ROOT);
        flags = List.copyOf(flags);
        state = state == null ? "" : state;
    }

    /** True when the entry is in the device's own table ({@code self} flag, or no master). */
    public boolean isSelf() {
        return flags.contains("self") || master == null;
    }

    /** True for a permanent or static entry (never ages out); {@code permanent} is also local to the bridge. */
    public boolean isStatic() {
        return state.equals("permanent") || state.equals("static");
    }

    /** True for a {@code permanent} bridge entry: the MAC is the bridge's or port's own (delivered locally). */
    public boolean isPermanent() {
        return state.equals("permanent");
    }

    /** True when an external control plane learned it ({@code extern_learn}). */
    public boolean isExternLearn() {
        return flags.contains("extern_learn");
    }

    /** True for the VXLAN default destination (all-zero MAC). */
    public boolean isDefaultDestination() {
        return ZERO_MAC.equals(mac);
    }
}
