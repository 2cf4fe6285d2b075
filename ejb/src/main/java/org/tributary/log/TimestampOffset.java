package org.tributary.log;

import java.util.Optional;

/** A timestamp and the offset of the record carrying it (ListOffsets answers). */
public record TimestampOffset(long timestamp, long offset, Optional<Integer> leaderEpoch) {
}
