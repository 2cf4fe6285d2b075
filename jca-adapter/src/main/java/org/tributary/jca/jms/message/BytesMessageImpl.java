package org.tributary.jca.jms.message;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/** A bytes message; on the wire its value is the bytes written, unchanged. */
public final class BytesMessageImpl extends AbstractMessage implements BytesMessage {
    private ByteArrayOutputStream written = new ByteArrayOutputStream();
    private DataOutputStream out = new DataOutputStream(written);
    private byte[] data;
    private DataInputStream in;

    /** A new, writable message. */
    public BytesMessageImpl() {
    }

    /** A received message, positioned for reading. */
    public BytesMessageImpl(byte[] received) {
        data = received == null ? new byte[0] : received;
        in = new DataInputStream(new ByteArrayInputStream(data));
        bodyReadOnly = true;
    }

    @Override
    public byte[] bodyBytes() {
        return data != null ? data.clone() : written.toByteArray();
    }

    @Override public String kind() { return "bytes"; }

    @Override
    protected Object body() {
        return bodyBytes();
    }

    @Override
    public long getBodyLength() throws JMSException {
        readable();
        return data.length;
    }

    @Override
    public void reset() {
        if (data == null) {
            data = written.toByteArray();
        }
        in = new DataInputStream(new ByteArrayInputStream(data));
        bodyReadOnly = true;
    }

    @Override
    public void clearBody() {
        written = new ByteArrayOutputStream();
        out = new DataOutputStream(written);
        data = null;
        in = null;
        bodyReadOnly = false;
    }

    private DataInputStream readable() throws MessageNotReadableException {
        if (in == null) {
            throw new MessageNotReadableException("the message is being written; call reset() to read it");
        }
        return in;
    }

    private interface Read<T> {
        T read(DataInputStream s) throws IOException;
    }

    private <T> T read(Read<T> r) throws JMSException {
        DataInputStream s = readable();
        try {
            return r.read(s);
        } catch (EOFException e) {
            throw new MessageEOFException("end of the message body");
        } catch (IOException e) {
            throw new MessageFormatException(e.toString());
        }
    }

    private interface Write {
        void write(DataOutputStream s) throws IOException;
    }

    private void write(Write w) throws JMSException {
        checkWritable();
        try {
            w.write(out);
        } catch (IOException e) {
            throw new MessageFormatException(e.toString());
        }
    }

    @Override public boolean readBoolean() throws JMSException { return read(DataInputStream::readBoolean); }
    @Override public byte readByte() throws JMSException { return read(DataInputStream::readByte); }
    @Override public int readUnsignedByte() throws JMSException { return read(DataInputStream::readUnsignedByte); }
    @Override public short readShort() throws JMSException { return read(DataInputStream::readShort); }
    @Override public int readUnsignedShort() throws JMSException { return read(DataInputStream::readUnsignedShort); }
    @Override public char readChar() throws JMSException { return read(DataInputStream::readChar); }
    @Override public int readInt() throws JMSException { return read(DataInputStream::readInt); }
    @Override public long readLong() throws JMSException { return read(DataInputStream::readLong); }
    @Override public float readFloat() throws JMSException { return read(DataInputStream::readFloat); }
    @Override public double readDouble() throws JMSException { return read(DataInputStream::readDouble); }
    @Override public String readUTF() throws JMSException { return read(s -> s.readUTF()); }

    @Override
    public int readBytes(byte[] value) throws JMSException {
        return readBytes(value, value.length);
    }

    @Override
    public int readBytes(byte[] value, int length) throws JMSException {
        int n = read(s -> s.read(value, 0, length));
        return n;
    }

    @Override public void writeBoolean(boolean v) throws JMSException { write(s -> s.writeBoolean(v)); }
    @Override public void writeByte(byte v) throws JMSException { write(s -> s.writeByte(v)); }
    @Override public void writeShort(short v) throws JMSException { write(s -> s.writeShort(v)); }
    @Override public void writeChar(char v) throws JMSException { write(s -> s.writeChar(v)); }
    @Override public void writeInt(int v) throws JMSException { write(s -> s.writeInt(v)); }
    @Override public void writeLong(long v) throws JMSException { write(s -> s.writeLong(v)); }
    @Override public void writeFloat(float v) throws JMSException { write(s -> s.writeFloat(v)); }
    @Override public void writeDouble(double v) throws JMSException { write(s -> s.writeDouble(v)); }
    @Override public void writeUTF(String v) throws JMSException { write(s -> s.writeUTF(v)); }
    @Override public void writeBytes(byte[] v) throws JMSException { write(s -> s.write(v)); }
    @Override public void writeBytes(byte[] v, int off, int len) throws JMSException { write(s -> s.write(v, off, len)); }

    @Override
    public void writeObject(Object v) throws JMSException {
        if (v instanceof Boolean b) {
            writeBoolean(b);
        } else if (v instanceof Byte b) {
            writeByte(b);
        } else if (v instanceof Short s) {
            writeShort(s);
        } else if (v instanceof Character c) {
            writeChar(c);
        } else if (v instanceof Integer i) {
            writeInt(i);
        } else if (v instanceof Long l) {
            writeLong(l);
        } else if (v instanceof Float f) {
            writeFloat(f);
        } else if (v instanceof Double d) {
            writeDouble(d);
        } else if (v instanceof String s) {
            writeUTF(s);
        } else if (v instanceof byte[] b) {
            writeBytes(b);
        } else {
            throw new MessageFormatException("cannot write a " + (v == null ? "null" : v.getClass().getName()));
        }
    }
}
