using System.Buffers.Binary;

namespace MusterBot.Emulator;

/// <summary>Reads the pixel size of a PNG or JPEG from its header; anything else gets a default size.</summary>
internal static class ImageSize
{
    public const int DefaultWidth = 1280;
    public const int DefaultHeight = 960;

    public static (int Width, int Height) Read(ReadOnlySpan<byte> content) =>
        TryPng(content, out var size) || TryJpeg(content, out size) ? size : (DefaultWidth, DefaultHeight);

    private static bool TryPng(ReadOnlySpan<byte> content, out (int Width, int Height) size)
    {
        size = default;
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (content.Length < 24 || !content[..8].SequenceEqual(signature) || !content.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return false;
        }

        size = (BinaryPrimitives.ReadInt32BigEndian(content.Slice(16, 4)), BinaryPrimitives.ReadInt32BigEndian(content.Slice(20, 4)));
        return size.Width > 0 && size.Height > 0;
    }

    private static bool TryJpeg(ReadOnlySpan<byte> content, out (int Width, int Height) size)
    {
        size = default;
        if (content.Length < 4 || content[0] != 0xFF || content[1] != 0xD8)
        {
            return false;
        }

        var i = 2;
        while (i + 9 <= content.Length && content[i] == 0xFF)
        {
            var marker = content[i + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(content.Slice(i + 2, 2));

            // Start of frame (baseline, progressive…): not DHT (C4), JPG (C8) or DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                size = (BinaryPrimitives.ReadUInt16BigEndian(content.Slice(i + 7, 2)), BinaryPrimitives.ReadUInt16BigEndian(content.Slice(i + 5, 2)));
                return size.Width > 0 && size.Height > 0;
            }

            if (length < 2)
            {
                return false;
            }

            i += 2 + length;
        }

        return false;
    }
}
