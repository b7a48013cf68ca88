package io.skoop.dsl

import io.skoop.model.Protocol

/**
 * The base class of skoop scripts, runbooks and the shell's binding: every DSL verb ({@link Verbs#standard()}) is
 * callable by name — {@code methodMissing} dispatches to the Java verb, so an unknown verb fails with the list of
 * verbs and the closest name. {@code tcp}/{@code udp} are the protocols; {@code help()} lists the verbs;
 * {@code params(...)} declares a runbook's parameters ({@link Runbook}). The session (the snapshot being worked on)
 * lives in the binding as {@code skoopSession}, so it survives from one evaluation to the next in a shell.
 */
abstract class SkoopScript extends Script {
    static final Verbs VERBS = Verbs.standard()

    /** The script's session, created on first use and kept in the binding. */
    Session getSkoopSession() {
        if (!binding.hasVariable('skoopSession')) {
            binding.setVariable('skoopSession', new Session())
        }
        (Session) binding.getVariable('skoopSession')
    }

    /**
     * A call no method of the script answers: a closure of that name in the binding (a method a notebook defined in an
     * earlier cell, or a shell's verb closure), else the DSL verb of that name.
     */
    def methodMissing(String name, Object args) {
        if (binding.hasVariable(name) && binding.getVariable(name) instanceof Closure) {
            return ((Closure) binding.getVariable(name)).call((Object[]) args)
        }
        VERBS.invoke(skoopSession, name, (Object[]) args)
    }

    /**
     * Shows {@code value}: in a notebook as a rich output of its own (the binding's {@code skoopDisplay}, a
     * {@code java.util.function.Consumer} the notebook sets), elsewhere (runbooks, the shell) printed as text.
     * Returns null so a cell ending with {@code display(x)} shows {@code x} once.
     */
    Object display(Object value) {
        Object host = binding.hasVariable('skoopDisplay') ? binding.getVariable('skoopDisplay') : null
        if (host instanceof java.util.function.Consumer) {
            ((java.util.function.Consumer) host).accept(value)
        } else {
            println value
        }
        null
    }

    /** TCP. */
    Protocol getTcp() {
        Protocol.TCP
    }

    /** UDP. */
    Protocol getUdp() {
        Protocol.UDP
    }

    /** Every verb with its parameters and an example. */
    String help() {
        VERBS.help()
    }

    /** One verb's help. */
    String help(String verb) {
        VERBS.help(verb)
    }

    /**
     * Builds a lab from the closure ({@link LabBuilder}: the keys of a topology file as calls) and works on its
     * snapshot, as {@code lab('topology.yaml')} does ({@link LabVerb}); {@code name:} renames it. Needs root.
     */
    LabView lab(Map options = [:], @DelegatesTo(value = LabBuilder, strategy = Closure.DELEGATE_FIRST) Closure spec) {
        LabDocument doc = LabBuilder.build(spec)
        (LabView) VERBS.invoke(skoopSession, 'lab', (options ? [options, doc] : [doc]) as Object[])
    }

    /** Declares a runbook's parameters and returns their values ({@link Runbook#declare}). */
    Map<String, Object> params(Map spec) {
        Runbook.declare(skoopSession, spec)
    }
}
