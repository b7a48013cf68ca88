package io.skoop.netstack;

import java.nio.file.Path;

/**
 * Whether one file of a netns dump (docs/netns-dump.md) can be trusted, and why not.
 *
 * <p>A dump file exists exactly when its command succeeded (scripts/collect-netns.sh writes it through a temporary file
 * and records every command in meta.json). So a file that is absent, recorded as failed, or empty where its tool always
 * prints something, holds no answer about the network: the decisions that need it end UNKNOWN with a suspicion that
 * names this state ({@link UnavailablePartException}), never a verdict built on "nothing configured". Malformed
 * content is not a state: it is a {@link io.skoop.netstack.parse.ParseException} naming file and line.
 *
 * @param file   the file's path inside the dump folder's parent chain as the snapshot was opened
 *               ({@code snap/nodes/node-1/host/route.json})
 * @param kind   the state
 * @param reason why the file is not trusted, for people ({@code "empty (0 bytes): `ip -j -d route show table all` always
 *               prints at least []"}); "" for trusted states
 */
public record PartState(Path file, Kind kind, String reason) {

    /** The states of a dump file. */
    public enum Kind {
        /** collected and non-empty */
        COLLECTED,
        /** collected, and empty because there is nothing (no rules, no ipsets, no IPVS, no listening socket) */
        EMPTY,
        /** not in the dump: meta.json records the tool as not installed, or does not list the file, or there is no meta.json */
        NOT_COLLECTED,
        /** meta.json records that the tool ran and failed (exit status and its first stderr line) */
        FAILED,
        /** meta.json records the file as collected, but it is not in the dump (lost when the snapshot was copied) */
        LOST,
        /** present but empty or blank, where the tool always prints something (JSON of {@code ip}/{@code bridge}/{@code nft}, sysctl -a) */
        TRUNCATED,
        /** present but missing what its tool always prints (a sysctl.txt without {@code net.ipv4.ip_forward}) */
        INCOMPLETE
    }

    /** True for COLLECTED and EMPTY: the file says what the namespace holds. */
    public boolean trusted() {
        return kind == Kind.COLLECTED || kind == Kind.EMPTY;
    }

    /** "route.json of snap/nodes/node-1/host is empty (0 bytes) …": the file by its path and the reason. */
    public String describe() {
        return file + ": " + reason;
    }

    @Override
    public String toString() {
        return describe();
    }
}
