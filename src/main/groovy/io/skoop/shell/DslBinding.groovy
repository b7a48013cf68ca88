package io.skoop.shell

import io.skoop.dsl.Runbook
import io.skoop.dsl.Session
import io.skoop.dsl.Verbs
import io.skoop.model.Protocol
import org.jline.reader.Candidate
import org.jline.reader.Completer
import org.jline.reader.LineReader
import org.jline.reader.ParsedLine

/**
 * The DSL as a shell's binding: one closure per verb of {@link Verbs#standard()} (so {@code pod('default/client')}
 * calls the Java verb with the session), {@code tcp}/{@code udp}, {@code help()} and the session itself as
 * {@code skoopSession}, and {@code params(...)} (a runbook loaded with {@code /load} gets its defaults) — the same names a runbook's base script ({@link io.skoop.dsl.SkoopScript}) has. Variables
 * survive from one line to the next because they live in the shell's binding.
 *
 * <p>{@link #completer()} offers the verbs where a Groovy expression starts; {@link #unknownVerb} turns Groovy's
 * "No signature of method" for a top-level call into the DSL's message (the verbs and the closest name).
 */
class DslBinding {
    /** The verbs: the runbooks' own ({@link io.skoop.dsl.SkoopScript#VERBS}). */
    static final Verbs VERBS = io.skoop.dsl.SkoopScript.VERBS
    /** Names the binding defines besides the verbs. */
    static final List<String> EXTRAS = ['tcp', 'udp', 'help']

    /** The session every verb works on. */
    final Session session

    DslBinding(Session session) {
        this.session = session
    }

    /** Name → value: a closure per verb, {@code tcp}, {@code udp}, {@code help} and {@code skoopSession}. */
    Map<String, Object> variables() {
        Map<String, Object> vars = [:]
        VERBS.descriptors().each { d ->
            String name = d.name()
            vars[name] = { Object... args -> VERBS.invoke(session, name, args) }
        }
        vars.tcp = Protocol.TCP
        vars.udp = Protocol.UDP
        vars.help = { String verb = null -> verb == null ? VERBS.help() : VERBS.help(verb) }
        // a runbook /load-ed in the shell gets its parameters' defaults
        vars.params = { Map spec -> Runbook.declare(session, spec) }
        vars.skoopSession = session
        vars
    }

    /** Every name a DSL line can start with: the verbs, then tcp, udp, help. */
    static List<String> names() {
        VERBS.descriptors()*.name() + EXTRAS
    }

    /**
     * Completes a DSL verb where the word under the cursor starts an expression (not after a '.'), with the verb's
     * summary as the candidate's description.
     */
    static Completer completer() {
        { LineReader reader, ParsedLine line, List<Candidate> candidates ->
            String word = line.word().substring(0, line.wordCursor())
            String before = line.line().substring(0, Math.max(0, line.cursor() - word.length()))
            if (before.startsWith('/') || before.endsWith('.') || !(word ==~ /[A-Za-z_]\w*|/)) {
                return
            }
            VERBS.descriptors().each { d ->
                candidates << new Candidate(d.name(), d.name(), 'skoop DSL', d.summary(), null, null, true)
            }
            EXTRAS.each { candidates << new Candidate(it, it, 'skoop DSL', null, null, null, true) }
        } as Completer
    }

    /**
     * The DSL's message for a call Groovy could not resolve at the top level of a line ({@code diagnoze(...)}), or
     * null when {@code e} is about something else (a method of a value).
     */
    static String unknownVerb(MissingMethodException e) {
        if (!Script.isAssignableFrom(e.type) || names().contains(e.method)) {
            return null
        }
        VERBS.unknownVerb(e.method).message
    }
}
