package org.tributary.controller;

import java.util.ArrayList;
import java.util.List;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;

/**
 * The records one operation is building, and the state they lead to: each record is replayed on a
 * {@link MetadataDelta} over the pending image as it is added, so later decisions of the same
 * operation see earlier ones (a second fencing sees the first). Not thread-safe; one per operation.
 */
final class Changes {
    final MetadataDelta state;
    private final List<MetadataRecord> records = new ArrayList<>();

    Changes(MetadataImage pending) {
        this.state = new MetadataDelta(pending);
    }

    void add(MetadataRecord r) {
        state.replay(r);
        records.add(r);
    }

    List<MetadataRecord> records() {
        return records;
    }

    <T> ControllerResult<T> result(T response) {
        return new ControllerResult<>(records, response);
    }
}
