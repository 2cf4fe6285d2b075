package org.tributary.jca.jms.selector;

/** A message selector that does not parse; the message names the position and what was expected. */
public final class SelectorException extends RuntimeException {
    public SelectorException(String message) {
        super(message);
    }
}
