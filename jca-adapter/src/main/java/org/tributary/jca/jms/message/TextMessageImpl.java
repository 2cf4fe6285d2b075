package org.tributary.jca.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;

/** A text message; on the wire its value is the text in UTF-8. */
public final class TextMessageImpl extends AbstractMessage implements TextMessage {
    private String text;

    public TextMessageImpl(String text) {
        this.text = text;
    }

    @Override
    public void setText(String s) throws JMSException {
        checkWritable();
        text = s;
    }

    @Override public String getText() { return text; }

    @Override
    public void clearBody() {
        text = null;
        bodyReadOnly = false;
    }

    @Override protected Object body() { return text; }

    @Override public byte[] bodyBytes() { return text == null ? null : text.getBytes(StandardCharsets.UTF_8); }

    @Override public String kind() { return "text"; }
}
