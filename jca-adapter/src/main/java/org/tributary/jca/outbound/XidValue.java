package org.tributary.jca.outbound;

import java.util.Arrays;
import java.util.HexFormat;
import javax.transaction.xa.Xid;

/** An Xid with value equality (a transaction manager's Xid objects need not have it) and a text form for the recovery log. */
final class XidValue implements Xid {
    private final int formatId;
    private final byte[] gtrid;
    private final byte[] bqual;

    XidValue(int formatId, byte[] gtrid, byte[] bqual) {
        this.formatId = formatId;
        this.gtrid = gtrid.clone();
        this.bqual = bqual.clone();
    }

    static XidValue of(Xid xid) {
        return xid instanceof XidValue v ? v : new XidValue(xid.getFormatId(), xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    /** {@code formatId:gtrid-hex:bqual-hex}. */
    String encode() {
        HexFormat hex = HexFormat.of();
        return formatId + ":" + hex.formatHex(gtrid) + ":" + hex.formatHex(bqual);
    }

    static XidValue decode(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not an encoded Xid: " + text);
        }
        HexFormat hex = HexFormat.of();
        return new XidValue(Integer.parseInt(parts[0]), hex.parseHex(parts[1]), hex.parseHex(parts[2]));
    }

    @Override public int getFormatId() { return formatId; }
    @Override public byte[] getGlobalTransactionId() { return gtrid.clone(); }
    @Override public byte[] getBranchQualifier() { return bqual.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof XidValue x && x.formatId == formatId && Arrays.equals(x.gtrid, gtrid) && Arrays.equals(x.bqual, bqual);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * formatId + Arrays.hashCode(gtrid)) + Arrays.hashCode(bqual);
    }

    @Override
    public String toString() {
        return encode();
    }
}
