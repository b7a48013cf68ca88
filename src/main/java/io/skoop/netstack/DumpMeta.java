package io.skoop.netstack;

import java.util.List;
import java.util.Optional;

/**
 * meta.json of a netns dump (docs/netns-dump.md): what scripts/collect-netns.sh collected
 * where and when, and which tools were missing or failed.
 *
 * @param format    the dump format version (1)
 * @param hostname  {@code uname -n} of the machine
 * @param kernel    {@code uname -r}
 * @param time      collection time, UTC ISO-8601 ({@code 2026-11-21T07:49:10Z})
 * @param netns     the namespace name from {@code ip netns identify} ("" when unnamed, e.g. the host's or a pod's)
 * @param collected one entry per dump file, in collection order
 */
public record DumpMeta(int format, String hostname, String kernel, String time, String netns, List<Collected> collected) {

    /** The format version this skoop reads. */
    public static final int FORMAT_VERSION = 1;

    public DumpMeta {
        collected = List.copyOf(collected);
    }

    /** How one tool run went. */
    public enum Status {
        /** the command exited 0 and its output is the file */
        OK,
        /** the tool is not installed (not on PATH); no file */
        MISSING,
        /** the tool ran and exited non-zero (e.g. ipvsadm without the ip_vs module); no file */
        FAILED,
        /** a status text this skoop does not know (kept in {@link Collected#statusText()}) */
        UNKNOWN
    }

    /**
     * One dump file's record.
     *
     * @param file       the file name ({@code iptables.txt})
     * @param tool       the program ({@code iptables-save})
     * @param command    the full command line
     * @param status     ok / missing / failed
     * @param statusText the status as written
     * @param exit       the exit code (127 for a missing tool)
     * @param stderr     the first line the command wrote to stderr ("" when none)
     */
    public record Collected(String file, String tool, String command, Status status, String statusText, int exit, String stderr) {
    }

    /** The record of {@code file}, if the collector tried it. */
    public Optional<Collected> of(String file) {
        return collected.stream().filter(c -> c.file().equals(file)).findFirst();
    }

    /** True when {@code file} was collected successfully (and so exists). */
    public boolean isCollected(String file) {
        return of(file).map(c -> c.status() == Status.OK).orElse(false);
    }

    /** The records whose tool was not installed. */
    public List<Collected> missing() {
        return collected.stream().filter(c -> c.status() == Status.MISSING).toList();
    }

    /** The records whose tool ran but failed. */
    public List<Collected> failed() {
        return collected.stream().filter(c -> c.status() == Status.FAILED).toList();
    }
}
