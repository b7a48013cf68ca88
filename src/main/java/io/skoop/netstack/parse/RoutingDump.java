package io.skoop.netstack.parse;

import io.skoop.netstack.link.Interfaces;
import io.skoop.netstack.route.PolicyRule;
import io.skoop.netstack.route.Route;
import io.skoop.netstack.route.Router;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Router} from one namespace folder of the netns dump format: link.json,
 * addr.json, route.json, route6.json, rule.json, rule6.json (missing IPv6 files mean no IPv6
 * routes / rules). The sysctls are passed in (the sysctl.txt reader belongs to the sysctl parser).
 */
public final class RoutingDump {

    private RoutingDump() {
    }

    /**
     * @param dir     the namespace folder
     * @param sysctls {@code sysctl -a} of the namespace as key → value
     * @throws ParseException on malformed files, and files that cannot be read or are not UTF-8
     * @throws UncheckedIOException wrapping {@link NoSuchFileException} when link.json, addr.json, route.json or rule.json is missing
     */
    public static Router load(Path dir, Map<String, String> sysctls) {
        return load(dir, new io.skoop.netstack.sysctl.Sysctls(sysctls), true);
    }

    /**
     * As {@link #load(Path, Map)}, with the namespace's {@link io.skoop.netstack.sysctl.Sysctls} (which may say they are
     * not trusted) and without reading route6.json / rule6.json when {@code ipv6} is false (the caller knows they cannot
     * be trusted and refuses IPv6 lookups itself).
     */
    public static Router load(Path dir, io.skoop.netstack.sysctl.Sysctls sysctls, boolean ipv6) {
        Interfaces ifs = InterfaceParser.parse(name(dir, "link.json"), read(dir, "link.json", true), name(dir, "addr.json"),
                read(dir, "addr.json", true));
        List<Route> routes = new ArrayList<>(RouteParser.parse(name(dir, "route.json"), read(dir, "route.json", true), 4));
        String r6 = ipv6 ? read(dir, "route6.json", false) : "[]";
        routes.addAll(r6 != null ? RouteParser.parse(name(dir, "route6.json"), r6, 6)
                : RouteParser.parse(name(dir, "route.json"), read(dir, "route.json", true), 6));
        List<PolicyRule> rules4 = RuleParser.parse(name(dir, "rule.json"), read(dir, "rule.json", true));
        String rule6 = ipv6 ? read(dir, "rule6.json", false) : null;
        List<PolicyRule> rules6 = rule6 == null ? List.of() : RuleParser.parse(name(dir, "rule6.json"), rule6);
        return new Router(ifs, routes, rules4, rules6, sysctls);
    }

    private static String name(Path dir, String f) {
        return dir.resolve(f).toString();
    }

    private static String read(Path dir, String f, boolean required) {
        Path p = dir.resolve(f);
        if (!required && !Files.exists(p)) {
            return null;
        }
        try {
            return Files.readString(p);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw ParseException.unreadable(p, e);
        }
    }
}
