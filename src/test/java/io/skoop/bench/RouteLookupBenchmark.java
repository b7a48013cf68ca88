package io.skoop.bench;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.netstack.link.Address;
import io.skoop.netstack.link.Interface;
import io.skoop.netstack.link.Interfaces;
import io.skoop.netstack.route.FibTable;
import io.skoop.netstack.route.Nexthop;
import io.skoop.netstack.route.PolicyRule;
import io.skoop.netstack.route.RouteQuery;
import io.skoop.netstack.route.RouteResult;
import io.skoop.netstack.route.Route;
import io.skoop.netstack.route.RouteType;
import io.skoop.netstack.route.Router;
import io.skoop.netstack.route.RuleAction;
import io.skoop.netstack.route.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A route lookup among 100k IPv4 routes (prefix lengths 8..32, gateways on two devices) in the
 * main table, behind the three default policy rules: the full {@code Router.lookup} (rules, LPM,
 * source selection, steps) and the bare per-length hash LPM of {@code FibTable.walk}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteLookupBenchmark {
    static final int ROUTES = 100_000;
    static final int[] LENGTHS = {8, 12, 16, 20, 22, 24, 26, 28, 30, 32};

    Router router;
    FibTable main;
    RouteQuery[] queries;
    Ip[] dsts;
    int i;

    @Setup
    public void setup() {
        Random rnd = new Random(42);
        Interfaces ifs = new Interfaces(List.of(
                new Interface(1, "lo", "loopback", 65536, Set.of("LOOPBACK", "UP", "LOWER_UP"), "UNKNOWN", null, null, 0, null, null, null,
                        List.of(new Address(Ip.parse("127.0.0.1"), 8, null, null, io.skoop.netstack.link.Scope.HOST, "lo", Set.of()))),
                dev(2, "eth0", "10.0.0.1"), dev(3, "eth1", "10.1.0.1")));
        List<Route> routes = new ArrayList<>();
        for (int n = 0; n < ROUTES; n++) {
            int len = LENGTHS[rnd.nextInt(LENGTHS.length)];
            Prefix p = new Prefix(Ip.v4(0x0b000000 | rnd.nextInt(0x00ffffff) | (rnd.nextInt(100) << 24)), len);
            String dev = rnd.nextBoolean() ? "eth0" : "eth1";
            Ip gw = Ip.parse(dev.equals("eth0") ? "10.0.0.2" : "10.1.0.2");
            routes.add(new Route(Tables.MAIN, RouteType.UNICAST, "unicast", p, 0, "static", io.skoop.netstack.link.Scope.GLOBAL, 0,
                    null, List.of(new Nexthop(gw, dev, 1, Set.of())), Set.of(), null));
        }
        List<PolicyRule> rules = List.of(rule(0, Tables.LOCAL), rule(32766, Tables.MAIN), rule(32767, Tables.DEFAULT));
        router = new Router(ifs, routes, rules, List.of(), Map.of());
        main = router.table(false, Tables.MAIN);
        dsts = new Ip[4096];
        queries = new RouteQuery[dsts.length];
        for (int n = 0; n < dsts.length; n++) {
            dsts[n] = routes.get(rnd.nextInt(routes.size())).dst().address().plus(rnd.nextInt(4));
            queries[n] = RouteQuery.to(dsts[n]);
        }
    }

    private static Interface dev(int idx, String name, String addr) {
        return new Interface(idx, name, "veth", 1500, Set.of("UP", "LOWER_UP", "BROADCAST"), "UP", null, null, 0, null, null, null,
                List.of(new Address(Ip.parse(addr), 24, null, null, io.skoop.netstack.link.Scope.GLOBAL, name, Set.of())));
    }

    private static PolicyRule rule(long prio, int table) {
        return new PolicyRule(prio, false, null, null, null, false, null, false, 0, 0, -1, null, null, 0, null, false,
                RuleAction.LOOKUP, table, 0, false, -1, -1, List.of());
    }

    /** Full {@code ip route get} equivalent: rules, LPM, prefsrc selection, typed steps. */
    @Benchmark
    public RouteResult routerLookup() {
        return router.lookup(queries[i++ & (queries.length - 1)]);
    }

    /** The longest-prefix match alone. */
    @Benchmark
    public Route tableLpm() {
        Ip d = dsts[i++ & (dsts.length - 1)];
        return main.walk(d, l -> l.get(0));
    }
}
