package io.skoop.oracle

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Query
import io.skoop.diagnose.Verdict
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabSnapshot
import io.skoop.lab.run.Labs
import io.skoop.lab.run.Probe
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.model.Level
import io.skoop.model.NetNode
import io.skoop.snapshot.Snapshot
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.Locale

/**
 * The randomized kernel oracle: for a seed, a {@link RandomCluster} is built as a lab, one fault of the
 * {@link FaultCatalog} is injected, a few flows (most of them through the fault) are probed by the kernel before and
 * after, the lab is snapshotted and every flow diagnosed from the snapshot. A flow agrees when
 * <ul>
 *   <li>the kernel connected every time ⇔ REACHABLE at 100% with neither FATAL nor CRITICAL;</li>
 *   <li>the kernel failed every time ⇔ UNREACHABLE;</li>
 *   <li>some backends failed, some connected ⇔ REACHABLE below 100% with a CRITICAL;</li>
 *   <li>the answer came truncated ⇔ REACHABLE with a CRITICAL naming the MTU.</li>
 * </ul>
 * A flow the fault broke (connected before, not after) also says whether a FATAL or CRITICAL suspicion on the breaking
 * hop names the cause (one of the fault's words): a hop where a branch ended undelivered or the faulted namespace
 * itself; for a flow that stays REACHABLE (truncated, some backends broken) any hop of the walk. Flows through a Service or NodePort are probed up to 8 times (the DNAT picks a
 * backend at random) and, when the diagnosis says "some backends fail" but the kernel showed one outcome only,
 * {@link #REPROBES} times more before a disagreement is counted; a direct flow that fails is probed again, and one whose outcomes
 * differ 3 times more — if they still differ it is counted as flaky, not judged.
 */
class Oracle {

    static final Duration FAIL_TIMEOUT = Duration.ofMillis(1200)
    /**
     * Probes more before "some backends fail" counts as a disagreement with a kernel that showed one outcome: with 4
     * backends and one failing, 8 + 40 probes all connecting happen with a chance of 0.75^48 ≈ 1e-6.
     */
    static final int REPROBES = 40

    /** One judged flow of a scenario. */
    static final class Row {
        long seed
        String backend
        FaultCatalog.Fault fault
        RandomCluster.Flow flow
        String before
        String after
        List<Probe.Result> probes
        Diagnosis diagnosis
        boolean agrees
        /** null when the fault did not break the flow */
        Boolean named
        String why = ''

        String verdictText() {
            diagnosis.verdict().name() + (diagnosis.successProbability() > 0 && diagnosis.successProbability() < 1
                    ? String.format(Locale.ROOT, ' (%.0f%%)', diagnosis.successProbability() * 100) : '')
        }

        List<String> top() {
            suspicions(diagnosis, Level.FATAL, Level.CRITICAL).take(3).collect { "${it[1].level()} ${it[0]}: ${it[1].message()}".toString() }
        }

        String describe() {
            """seed $seed ($backend): fault [${fault.kind}] ${fault.text()}
  flow ${flow}
  kernel before: $before, after: $after — ${probes.collect { it.outcome().text() + (it.answeredBy() ? ' by ' + it.answeredBy() : '') }.unique().join(', ')}
  skoop: ${verdictText()}${why ? ' — ' + why : ''}
  cause named: ${named == null ? 'n/a (not broken by the fault)' : named}
  top suspicions: ${top() ?: ['none']}"""
        }
    }

    final Labs labs
    final String run
    final Path keep
    final Path work

    /**
     * @param labs where labs are built (a private state folder)
     * @param run  the prefix of every lab name (unique per test run)
     * @param keep where a disagreeing scenario's snapshot and its report are kept ({@code keep/seed-N/})
     */
    Oracle(Labs labs, String run, Path keep) {
        this.labs = labs
        this.run = run
        this.keep = keep
        this.work = Files.createTempDirectory('skoop-oracle')
    }

    /** The fault kind of a seed: round robin over the catalogue, so every kind comes up; the next applicable one when it does not apply. */
    static List<String> kindOrder(long seed) {
        List<String> kinds = FaultCatalog.KINDS.keySet() as List
        int start = (int) Math.floorMod(seed, (long) kinds.size())
        kinds.drop(start) + kinds.take(start)
    }

    /** Runs one scenario: up, fault, probes, snapshot, diagnoses, down. */
    List<Row> scenario(long seed, int flowCount = 4) {
        String name = "$run-$seed"
        ResolvedTopology t = RandomCluster.topology(seed, name)
        String yaml = RandomCluster.yaml(seed, name)
        Lab lab = labs.up(t, "oracle seed $seed", "random-${seed}.yaml", yaml, null).lab()
        Path snap = work.resolve("seed-$seed")
        try {
            Random r = new Random(seed)
            FaultCatalog.Context c = new FaultCatalog.Context(lab, r)
            FaultCatalog.Fault fault = firstApplicable(c, kindOrder(seed))
            List<RandomCluster.Flow> flows = chooseFlows(RandomCluster.flows(t), fault, r, flowCount)
            Map<RandomCluster.Flow, String> before = flows.collectEntries { [it, classify(sample(lab, it))] }
            fault.commands.each { c.sh(fault.where, it) }
            Map<RandomCluster.Flow, List<Probe.Result>> after = flows.collectEntries { [it, sample(lab, it)] }
            LabSnapshot.take(lab, yaml, snap, 'oracle')
            Diagnostor diagnostor = new Diagnostor(Snapshot.open(snap))
            String backend = t.cni().toString().toLowerCase().contains('host') ? 'host-gw' : 'vxlan'
            List<Row> rows = flows.collect { RandomCluster.Flow fl ->
                Diagnosis d = diagnostor.diagnose(query(lab, fl))
                List<Probe.Result> probes = after[fl]
                if (fl.balanced() && d.successProbability() > 0 && d.successProbability() < 1 && classify(probes) in ['connected', 'failed']) {
                    for (int i = 0; i < REPROBES && classify(probes) in ['connected', 'failed']; i++) {
                        probes = probes + [probe(lab, fl)]
                    }
                }
                Row row = new Row(seed: seed, backend: backend, fault: fault, flow: fl, before: before[fl], after: classify(probes), probes: probes, diagnosis: d)
                judge(row)
                row
            }
            if (rows.any { !it.agrees }) {
                Path dir = keep.resolve("seed-$seed")
                Files.createDirectories(dir)
                Files.move(snap, dir.resolve('snapshot'))
                Files.writeString(dir.resolve('oracle.txt'), rows.findAll { !it.agrees }*.describe().join('\n\n') + '\n\ntopology:\n' + yaml)
            }
            return rows
        } finally {
            labs.down(lab.name())
            snap.toFile().deleteDir()
        }
    }

    private static FaultCatalog.Fault firstApplicable(FaultCatalog.Context c, List<String> kinds) {
        for (String k : kinds) {
            FaultCatalog.Fault f = FaultCatalog.KINDS[k].call(c)
            if (f != null) {
                return f
            }
        }
        throw new IllegalStateException('no fault kind applies')
    }

    /**
     * Up to {@code n} flows: all but one through the fault's focus (when there are such) — first those the fault
     * prefers, then those crossing nodes or leaving the cluster (where node faults show) — and one anywhere.
     */
    static List<RandomCluster.Flow> chooseFlows(List<RandomCluster.Flow> all, FaultCatalog.Fault fault, Random r, int n) {
        List<RandomCluster.Flow> near = all.findAll { !it.touches.disjoint(fault.focus) }
        Collections.shuffle(near, r)
        List<RandomCluster.Flow> preferred = fault.prefer == null ? [] : near.findAll { fault.prefer.call(it) }.take(2)
        List<RandomCluster.Flow> far = near.findAll { !(it in preferred) && (it.kind.contains('cross node') || it.kind.contains('external')
                || it.kind.contains('NodePort') || it.kind.contains('Service') || it.kind == 'node to node') }
        near = preferred + far.take(1) + (near - preferred - far.take(1))
        List<RandomCluster.Flow> out = near.take(n - 1)
        List<RandomCluster.Flow> rest = all - out
        Collections.shuffle(rest, r)
        out + rest.take(n - out.size())
    }

    static Query query(Lab lab, RandomCluster.Flow f) {
        new Query(endpoint(lab, f.src), endpoint(lab, f.dst), String.valueOf(f.port), f.protocol)
    }

    /** A lab target as a diagnosis endpoint: node/NAME for a node, the address for the external host. */
    static String endpoint(Lab lab, String target) {
        if (lab.topology().nodes().any { it.name() == target }) {
            return "node/$target"
        }
        def ext = lab.topology().externalHosts().find { it.name() == target }
        return ext != null ? ext.address().toString() : target
    }

    static Probe.Result probe(Lab lab, RandomCluster.Flow f) {
        Probe.run(lab, f.src, f.dst, f.port, f.protocol, FAIL_TIMEOUT)
    }

    /** The kernel's answers for a flow: see the class comment for how often it is probed. */
    static List<Probe.Result> sample(Lab lab, RandomCluster.Flow f) {
        List<Probe.Result> rs = [probe(lab, f)]
        if (f.balanced()) {
            while (rs.size() < 8 && classify(rs) in ['connected', 'failed', 'truncated']) {
                rs << probe(lab, f)
            }
        } else if (!rs[0].connected()) {
            rs << probe(lab, f)
            if (classify(rs) == 'mixed') {
                3.times { rs << probe(lab, f) }
            }
        }
        return rs
    }

    /** connected, failed, truncated, mixed (some connected or truncated, some failed), or flaky (a direct flow that does both). */
    static String classify(List<Probe.Result> rs) {
        Set<Probe.Outcome> o = rs*.outcome() as Set
        boolean ok = o.contains(Probe.Outcome.CONNECTED), cut = o.contains(Probe.Outcome.TRUNCATED)
        boolean bad = o.any { it != Probe.Outcome.CONNECTED && it != Probe.Outcome.TRUNCATED }
        if (!bad) {
            return cut ? 'truncated' : 'connected'
        }
        return ok || cut ? 'mixed' : 'failed'
    }

    /** [hop, suspicion] of every suspicion of the levels, request graph first. */
    static List<List> suspicions(Diagnosis d, Level... levels) {
        [d.request(), d.reply()].findAll { it != null }.collectMany { p ->
            p.nodes().collectMany { NetNode n -> n.suspicions().findAll { it.level() in levels }.collect { [n.hop().toString(), it] } }
        }.unique()
    }

    static void judge(Row row) {
        Diagnosis d = row.diagnosis
        double p = d.successProbability()
        List critical = suspicions(d, Level.CRITICAL), fatal = suspicions(d, Level.FATAL)
        boolean direct = !row.flow.balanced()
        switch (row.after) {
            case 'connected':
                row.agrees = d.verdict() == Verdict.REACHABLE && p == 1.0d && fatal.isEmpty() && critical.isEmpty()
                row.why = row.agrees ? '' : 'the kernel connected every time'
                break
            case 'failed':
                row.agrees = d.verdict() == Verdict.UNREACHABLE
                row.why = row.agrees ? '' : 'the kernel failed every time'
                break
            case 'truncated':
                row.agrees = d.verdict() == Verdict.REACHABLE && critical.any { it[1].message().contains('MTU') }
                row.why = row.agrees ? '' : 'the kernel connected but the answer came truncated: expected REACHABLE with a CRITICAL naming the MTU'
                break
            default: // mixed
                if (direct) {
                    row.agrees = true
                    row.after = 'flaky'
                    row.why = 'the kernel is flaky on a direct flow: not judged'
                } else if (row.probes.any { it.outcome() == Probe.Outcome.TRUNCATED } && !row.probes.any { it.connected() }) {
                    row.agrees = d.verdict() == Verdict.REACHABLE && critical.any { it[1].message().contains('MTU') }
                    row.why = row.agrees ? '' : 'some backends truncated, some failed: expected REACHABLE with a CRITICAL naming the MTU'
                } else {
                    row.agrees = d.verdict() == Verdict.REACHABLE && p > 0 && p < 1 && !critical.isEmpty()
                    row.why = row.agrees ? '' : 'some backends answered, some did not: expected REACHABLE below 100% with a CRITICAL'
                }
        }
        if (row.before == 'connected' && row.after != 'connected' && row.after != 'flaky') {
            // the breaking hop: where a branch ended undelivered, or the namespace the fault was injected in; a flow that
            // stays REACHABLE (truncated, mixed) has its CRITICAL wherever the walk met the cause
            Set<String> hops = d.branches().findAll { it.kind() != io.skoop.diagnose.Outcome.End.Kind.DELIVERED }*.hop()*.toString() as Set
            hops << (row.fault.where.contains('/') ? 'pod:' : 'node:') + row.fault.where
            List<String> words = row.fault.words*.toLowerCase()
            row.named = (fatal + critical).any { s ->
                String m = s[1].message().toLowerCase()
                (s[0] in hops || d.verdict() == Verdict.REACHABLE) && words.any { m.contains(it) }
            }
        }
    }

    /** Markdown: the rows, then per fault kind how many flows, how many agreed, were broken, had their cause named. */
    static String report(List<Row> rows, String seeds) {
        StringBuilder b = new StringBuilder()
        int agree = rows.count { it.agrees }, broken = rows.count { it.named != null }, named = rows.count { it.named }
        int flaky = rows.count { it.after == 'flaky' }
        b << "# Oracle report\n\nseeds: $seeds · scenarios (flows judged): ${rows.size()} · labs: ${rows*.seed.unique().size()} · " +
                "agreement: $agree/${rows.size()} · broken by the fault: $broken · cause named: $named/$broken · flaky (not judged): $flaky\n\n"
        b << '| fault kind | flows | agree | broken | named |\n| --- | --- | --- | --- | --- |\n'
        rows.groupBy { it.fault.kind }.sort().each { k, rs ->
            b << "| $k | ${rs.size()} | ${rs.count { it.agrees }} | ${rs.count { it.named != null }} | ${rs.count { it.named }} |\n"
        }
        b << '\n| seed | backend | fault | flow | before | after | verdict | agrees | named | top suspicion | kind |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
        rows.each { r ->
            b << "| $r.seed | $r.backend | ${r.fault.text().replace('|', '\\|')} | ${r.flow} | $r.before | $r.after | ${r.verdictText()} | ${r.agrees ? 'yes' : '**no**'} | ${r.named == null ? '—' : r.named ? 'yes' : '**no**'} | ${(r.top().take(1).join('') ?: '—').replace('|', '\\|')} | ${r.fault.kind} |\n"
        }
        b.toString()
    }

    /** Seeds from {@code 1-40}, {@code 3,9,12} or a mix ({@code 1-10,42}). */
    static List<Long> seeds(String spec) {
        spec.split(',')*.trim().findAll().collectMany { String part ->
            part.contains('-') ? ((part.split('-')[0] as long)..(part.split('-')[1] as long)).toList() : [part as long]
        }
    }
}
