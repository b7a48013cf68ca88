package io.skoop.service;

import java.util.function.Supplier;

/**
 * A {@link ServiceProcessorFactory} made from the processor's constructor: the mode is the processor's own
 * ({@link ServiceProcessor#mode()}). kube-proxy modes register a subclass with a no-argument constructor
 * ({@code META-INF/services/io.skoop.service.ServiceProcessorFactory}), as {@link java.util.ServiceLoader} needs.
 */
public abstract class ProcessorFactory implements ServiceProcessorFactory {
    private final Supplier<ServiceProcessor> make;

    /** @param make makes a processor (a new one per call) */
    protected ProcessorFactory(Supplier<ServiceProcessor> make) {
        this.make = make;
    }

    @Override
    public String mode() {
        return make.get().mode();
    }

    @Override
    public ServiceProcessor create() {
        return make.get();
    }
}
