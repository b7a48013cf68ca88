package io.skoop.netstack.route;

/**
 * The errors a route lookup can end with, as {@code ip route get} reports them
 * ("RTNETLINK answers: …") and as the kernel's {@code fib_props[]}, rule actions and
 * {@code ip_route_input_slow}/{@code ip_route_output_key_hash_rcu} return them.
 */
public enum Errno {
    /** No route ({@code -ESRCH} from the rules turned into ENETUNREACH), rule action unreachable. */
    ENETUNREACH("Network is unreachable"),
    /** Route type unreachable; forwarding disabled on the input device. */
    EHOSTUNREACH("No route to host"),
    /** Route type or rule action prohibit. */
    EACCES("Permission denied"),
    /**
     * Route type or rule action blackhole; martian source or destination; a failed reverse-path
     * check ({@code fib_validate_source} returns EXDEV internally, but ip_route_input_slow reports
     * every martian source as EINVAL, as this kernel shows).
     */
    EINVAL("Invalid argument"),
    /** Unknown device in the query. */
    ENODEV("No such device");

    private final String message;

    Errno(String message) {
        this.message = message;
    }

    /** The strerror(3) text that {@code ip route get} prints after "RTNETLINK answers: ". */
    public String message() {
        return message;
    }

    /** The errno whose strerror text is {@code message}, or null. */
    public static Errno ofMessage(String message) {
        for (Errno e : values()) {
            if (e.message.equals(message.trim())) {
                return e;
            }
        }
        return null;
    }
}
