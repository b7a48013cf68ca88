package io.skoop.dsl;

/**
 * A DSL verb: a descriptor (what help and completion show) and what it does. Verbs are plain Java; the Groovy base
 * script only dispatches to them ({@link Verbs#invoke}).
 */
public interface Verb {
    /** Name, summary, parameters, example. */
    VerbDescriptor descriptor();

    /**
     * Runs the verb.
     *
     * @param session the script's session (snapshot, Diagnostor)
     * @param args    the call's arguments
     * @return what the script gets back (printable)
     * @throws IllegalArgumentException for a bad argument, naming it and the verb's signature
     */
    Object call(Session session, Args args);
}
