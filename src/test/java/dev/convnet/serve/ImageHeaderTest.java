package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sizes {@link ImageHeader} reads from the first bytes are those ImageIO decodes. */
class ImageHeaderTest {
  @ParameterizedTest
  @ValueSource(strings = {"png", "gif", "bmp", "jpeg"})
  void eachFormatsDeclaredSizeIsTheDecodedOne(String format) throws Exception {
    BufferedImage image = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), format + " written");
    byte[] file = out.toByteArray();
    ImageHeader header = ImageHeader.of(file, "f");
    assertEquals(format, header.format());
    assertEquals(37, header.width());
    assertEquals(23, header.height());
    IllegalArgumentException cut =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageHeader.of(Arrays.copyOf(file, format.equals("jpeg") ? 20 : 8), "f"));
    assertTrue(cut.getMessage().startsWith("f: cannot decode the image"), cut.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "hello, world", "%PDF-1.7"})
  void otherBytesAreNotAnImage(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageHeader.of(text.getBytes(), "t"));
    assertEquals("t: not a PNG, JPEG, GIF or BMP image", e.getMessage());
  }
}
