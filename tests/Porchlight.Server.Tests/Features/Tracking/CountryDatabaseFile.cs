using System.Net;
using System.Text;

namespace Porchlight.Server.Tests.Features.Tracking;

/// <summary>
/// Writes a small IPv4 country database in the MaxMind DB format (the format of GeoLite2 and DB-IP files), so the
/// country lookup is tested against a real file without shipping a vendor's database.
/// Layout: a binary search tree over the address bits (24-bit records), 16 zero bytes, the data section, then the
/// metadata after its marker.
/// </summary>
internal static class CountryDatabaseFile
{
    public static void Write(string path, params (string Network, string IsoCode)[] countries)
    {
        var data = new MemoryStream();
        var nodes = new List<long[]> { NewNode() };
        var leaves = new List<(long[] Node, int Side, int DataOffset)>();
        foreach (var (network, isoCode) in countries)
        {
            var offset = (int)data.Length;
            WriteMap(data, ("country", w => WriteMap(w, ("iso_code", v => WriteString(v, isoCode)))));
            var (address, prefix) = (IPAddress.Parse(network.Split('/')[0]).GetAddressBytes(), int.Parse(network.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture));
            var node = nodes[0];
            for (var depth = 0; depth < prefix; depth++)
            {
                var side = (address[depth / 8] >> (7 - (depth % 8))) & 1;
                if (depth == prefix - 1)
                {
                    leaves.Add((node, side, offset));
                }
                else
                {
                    if (node[side] < 0)
                    {
                        node[side] = nodes.Count;
                        nodes.Add(NewNode());
                    }

                    node = nodes[(int)node[side]];
                }
            }
        }

        var nodeCount = nodes.Count;
        foreach (var (node, side, offset) in leaves)
        {
            node[side] = nodeCount + 16 + offset; // a record past the tree points into the data section
        }

        using var file = File.Create(path);
        foreach (var node in nodes)
        {
            foreach (var record in node)
            {
                var value = record < 0 ? nodeCount : record; // the node count itself means "no data"
                file.Write([(byte)(value >> 16), (byte)(value >> 8), (byte)value]);
            }
        }

        file.Write(new byte[16]);
        data.WriteTo(file);
        file.Write([0xAB, 0xCD, 0xEF, .. "MaxMind.com"u8]);
        WriteMap(file,
            ("node_count", w => WriteUnsigned(w, 6, (uint)nodeCount)),
            ("record_size", w => WriteUnsigned(w, 5, 24)),
            ("ip_version", w => WriteUnsigned(w, 5, 4)),
            ("database_type", w => WriteString(w, "Porchlight-Test-Country")),
            ("languages", w => w.Write([0x00, 0x04])), // an empty array: extended type 11
            ("binary_format_major_version", w => WriteUnsigned(w, 5, 2)),
            ("binary_format_minor_version", w => WriteUnsigned(w, 5, 0)),
            ("build_epoch", w => w.Write([0x04, 0x02, 0x00, 0x00, 0x00, 0x00])), // uint64: extended type 9, 4 bytes
            ("description", w => WriteMap(w)));
    }

    private static long[] NewNode() => [-1, -1];

    private static void WriteMap(Stream to, params (string Key, Action<Stream> WriteValue)[] entries)
    {
        to.WriteByte((byte)((7 << 5) | entries.Length));
        foreach (var (key, writeValue) in entries)
        {
            WriteString(to, key);
            writeValue(to);
        }
    }

    private static void WriteString(Stream to, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        to.WriteByte((byte)((2 << 5) | bytes.Length));
        to.Write(bytes);
    }

    /// <summary>An unsigned integer of <paramref name="type"/> (5: uint16, 6: uint32) in as few big-endian bytes as it needs.</summary>
    private static void WriteUnsigned(Stream to, int type, uint value)
    {
        var bytes = BitConverter.GetBytes(value).Reverse().SkipWhile(b => b == 0).ToArray();
        to.WriteByte((byte)((type << 5) | bytes.Length));
        to.Write(bytes);
    }
}
