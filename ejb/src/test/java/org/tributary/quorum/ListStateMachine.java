package org.tributary.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A test state machine: the list of applied entries (as strings) with a running checksum over
 * (offset, epoch, entry). Records leadership callbacks and any out-of-order apply. Thread-safe
 * for readers (synchronized).
 */
final class ListStateMachine implements ReplicatedStateMachine {
    private final List<String> entries = new ArrayList<>();
    private final List<Long> offsets = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private long lastApplied = -1;
    private long checksum;
    private int snapshotsLoaded;
    private int snapshotsWritten;

    @Override
    public synchronized void apply(long offset, long epoch, byte[] entry) {
        if (offset <= lastApplied) {
            errors.add("offset " + offset + " applied after " + lastApplied);
        }
        lastApplied = offset;
        String s = new String(entry, StandardCharsets.UTF_8);
        entries.add(s);
        offsets.add(offset);
        CRC32 crc = new CRC32();
        crc.update((checksum + ":" + offset + ":" + epoch + ":" + s).getBytes(StandardCharsets.UTF_8));
        checksum = crc.getValue();
    }

    @Override
    public synchronized void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(lastApplied);
        d.writeLong(checksum);
        d.writeInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            d.writeLong(offsets.get(i));
            d.writeUTF(entries.get(i));
        }
        d.flush();
        snapshotsWritten++;
    }

    @Override
    public synchronized void loadSnapshot(InputStream in, long offset, long epoch) throws IOException {
        DataInputStream d = new DataInputStream(in);
        long applied = d.readLong();
        long sum = d.readLong();
        int n = d.readInt();
        entries.clear();
        offsets.clear();
        for (int i = 0; i < n; i++) {
            offsets.add(d.readLong());
            entries.add(d.readUTF());
        }
        if (applied > offset) {
            errors.add("snapshot holds offset " + applied + " beyond its offset " + offset);
        }
        checksum = sum;
        lastApplied = offset;
        snapshotsLoaded++;
    }

    @Override
    public synchronized long lastAppliedOffset() {
        return lastApplied;
    }

    @Override
    public synchronized void becameLeader(long epoch) {
        events.add("leader:" + epoch);
    }

    @Override
    public synchronized void resigned(long epoch) {
        events.add("resigned:" + epoch);
    }

    synchronized List<String> entries() {
        return List.copyOf(entries);
    }

    synchronized List<Long> offsets() {
        return List.copyOf(offsets);
    }

    /** The applied sequence as "offset=entry" strings. */
    synchronized List<String> applied() {
        List<String> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            out.add(offsets.get(i) + "=" + entries.get(i));
        }
        return out;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized long checksum() {
        return checksum;
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    synchronized int snapshotsLoaded() {
        return snapshotsLoaded;
    }

    synchronized int snapshotsWritten() {
        return snapshotsWritten;
    }

    synchronized String summary() {
        return "size=" + entries.size() + " lastApplied=" + lastApplied + " checksum=" + checksum;
    }
}
