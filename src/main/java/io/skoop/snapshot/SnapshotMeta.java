package io.skoop.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.skoop.netstack.parse.ParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code snapshot.json}, the metadata of a cluster snapshot (docs/snapshot.md): what the snapshot is and where it
 * came from. A snapshot folder holds it next to {@code k8s/} and {@code nodes/}.
 *
 * @param formatVersion the snapshot format, {@value #FORMAT_VERSION} today
 * @param source        where it came from: {@code lab} (a skoop lab) or {@code cluster}
 * @param name          the lab's or cluster's name
 * @param cni           the CNI plugin, e.g. {@code flannel}
 * @param cniBackend    the plugin's mode, e.g. {@code vxlan} / {@code host-gw}, or null
 * @param proxyMode     kube-proxy's mode, e.g. {@code iptables}
 * @param clusterCIDR   the cluster CIDR (podCIDRs lie inside); a dual-stack cluster's one CIDR per family, comma-separated
 *                      as kube-controller-manager's {@code --cluster-cidr=10.244.0.0/16,fd00:10:244::/56}
 * @param serviceCIDR   the service CIDR; dual-stack: one per family, comma-separated as kube-apiserver's
 *                      {@code --service-cluster-ip-range}
 * @param createdAt     when it was taken, ISO-8601 UTC
 * @param tool          what wrote it, e.g. {@code skoop 0.1.0}
 * @param decidedBy     a live snapshot's: per field ({@code cni}, {@code proxyMode}, {@code serviceCIDR} …), how it was
 *                      decided from the cluster's objects, or why it is not known; null (not written) for a lab
 */
public record SnapshotMeta(int formatVersion, String source, String name, String cni, String cniBackend, String proxyMode,
                           String clusterCIDR, String serviceCIDR, String createdAt, String tool,
                           @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                           java.util.Map<String, String> decidedBy) {

    /** The current format version. */
    public static final int FORMAT_VERSION = 1;
    /** The metadata file's name in a snapshot folder. */
    public static final String FILE = "snapshot.json";

    /** Writes indented; reads ignoring fields this skoop does not know (a newer writer's additions within format 1). */
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public SnapshotMeta {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        decidedBy = decidedBy == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(decidedBy));
    }

    /** Metadata with nothing to say about how its fields were decided (a lab's: the topology says them). */
    public SnapshotMeta(int formatVersion, String source, String name, String cni, String cniBackend, String proxyMode,
                        String clusterCIDR, String serviceCIDR, String createdAt, String tool) {
        this(formatVersion, source, name, cni, cniBackend, proxyMode, clusterCIDR, serviceCIDR, createdAt, tool, null);
    }

    /** The cluster CIDRs of {@link #clusterCIDR()}, one per family; empty when unknown. */
    public java.util.List<io.skoop.model.Prefix> clusterCIDRs() {
        return cidrs("clusterCIDR", clusterCIDR);
    }

    /** The service CIDRs of {@link #serviceCIDR()}, one per family; empty when unknown. */
    public java.util.List<io.skoop.model.Prefix> serviceCIDRs() {
        return cidrs("serviceCIDR", serviceCIDR);
    }

    /**
     * A field's comma-separated CIDRs, as the Kubernetes flags write them ({@code 10.96.0.0/16,fd00:10:96::/112}).
     *
     * @throws IllegalArgumentException naming snapshot.json and the field when a CIDR is malformed
     */
    public static java.util.List<io.skoop.model.Prefix> cidrs(String field, String value) {
        try {
            return parseCidrs(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FILE + ": " + field + " '" + value + "': " + e.getMessage()
                    + " (expected one CIDR per family, comma-separated, e.g. 10.244.0.0/16,fd00:10:244::/56)");
        }
    }

    /**
     * Comma-separated CIDRs as the Kubernetes flags write them ({@code --cluster-cidr}, {@code --service-cluster-ip-range}),
     * each stripped; empty for null or blank.
     *
     * @throws IllegalArgumentException with {@link io.skoop.model.Prefix#parse}'s message for the first malformed one
     */
    public static java.util.List<io.skoop.model.Prefix> parseCidrs(String value) {
        if (value == null || value.isBlank()) {
            return java.util.List.of();
        }
        java.util.List<io.skoop.model.Prefix> out = new java.util.ArrayList<>();
        for (String c : value.split(",")) {
            out.add(io.skoop.model.Prefix.parse(c.strip()));
        }
        return java.util.List.copyOf(out);
    }

    /** Writes {@code dir/snapshot.json}. */
    public void write(Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE), JSON.writeValueAsString(this) + "\n");
    }

    /**
     * Reads {@code dir/snapshot.json}.
     *
     * Fields this skoop does not know are ignored (a newer skoop may add some within the same format); a newer format
     * version is refused with a message saying so.
     *
     * @throws ParseException naming the file when it is not valid metadata or has a format version this skoop does
     *                        not read
     */
    public static SnapshotMeta read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        SnapshotMeta m;
        String text;
        try {
            text = Files.readString(f);
        } catch (java.nio.charset.CharacterCodingException | java.nio.file.AccessDeniedException e) {
            throw ParseException.unreadable(f, e);
        }
        try {
            m = JSON.readValue(text, SnapshotMeta.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ParseException(f.toString(), e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "not snapshot metadata: " + e.getOriginalMessage());
        }
        if (m.formatVersion() > FORMAT_VERSION) {
            throw new ParseException(f.toString(), 0, String.valueOf(m.formatVersion()), "a snapshot of format version "
                    + m.formatVersion() + ", written by a newer skoop; this skoop reads format " + FORMAT_VERSION + ": upgrade skoop");
        }
        if (m.formatVersion() != FORMAT_VERSION) {
            throw new ParseException(f.toString(), 0, String.valueOf(m.formatVersion()),
                    "snapshot format version " + FORMAT_VERSION + " expected");
        }
        return m;
    }
}
