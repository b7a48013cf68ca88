package io.skoop.lab.topology;

/**
 * A Service port's {@code targetPort}: a number, or the name of a container port
 * (IntOrString in the Kubernetes API). Exactly one of the two is set.
 *
 * @param number the port number, or 0 when named
 * @param name   the container port name, or null when numeric
 */
public record TargetPort(int number, String name) {
    public TargetPort {
        if ((name == null) == (number == 0)) {
            throw new IllegalArgumentException("a targetPort is either a number or a name");
        }
        if (name == null) {
            Ports.check(number, "targetPort");
        }
    }

    /** A numeric targetPort. */
    public static TargetPort of(int number) {
        return new TargetPort(number, null);
    }

    /** A named targetPort. */
    public static TargetPort named(String name) {
        return new TargetPort(0, name);
    }

    public boolean isNamed() {
        return name != null;
    }

    @Override
    public String toString() {
        return isNamed() ? name : String.valueOf(number);
    }
}
