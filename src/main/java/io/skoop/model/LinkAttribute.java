package io.skoop.model;

import java.util.Map;

/**
 * What a link end looks like from one NetNode: the device and address used, plus free-form
 * properties (e.g. {@code vni=1}, {@code mtu=1450}). Seed: Link Source/DestinationAttribute.
 *
 * @param device     interface name inside that NetNode's namespace (e.g. {@code eth0}, {@code cni0}), or null
 * @param address    address on that device used by the packet, or null
 * @param properties extra attributes, never null (copied, unmodifiable)
 */
public record LinkAttribute(String device, Ip address, Map<String, String> properties) {
    public LinkAttribute {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** A device with no address and no properties. */
    public static LinkAttribute of(String device) {
        return new LinkAttribute(device, null, Map.of());
    }
}
