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
 * @param clusterCIDR   the cluster CIDR (podCIDRs lie inside)
 * @param serviceCIDR   the service CIDR
 * @param createdAt     when it was taken, ISO-8601 UTC
 * @param tool          what wrote it, e.g. {@code skoop 0.1.0}
 */
public record SnapshotMeta(int formatVersion, String source, String name, String cni, String cniBackend, String proxyMode,
                           String clusterCIDR, String serviceCIDR, String createdAt, String tool) {

    /** The current format version. */
    public static final int FORMAT_VERSION = 1;
    /** The metadata file's name in a snapshot folder. */
    public static final String FILE = "snapshot.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public SnapshotMeta {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
    }

    /** Writes {@code dir/snapshot.json}. */
    public void write(Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE), JSON.writeValueAsString(this) + "\n");
    }

    /**
     * Reads {@code dir/snapshot.json}.
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
        if (m.formatVersion() != FORMAT_VERSION) {
            throw new ParseException(f.toString(), 0, String.valueOf(m.formatVersion()),
                    "snapshot format version " + FORMAT_VERSION + " expected");
        }
        return m;
    }
}
