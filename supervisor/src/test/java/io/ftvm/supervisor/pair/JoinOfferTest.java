package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class JoinOfferTest {
  @Test
  void anOfferSurvivesItsOneLineForm() {
    JoinOffer offer =
        new JoinOffer(
            InetSocketAddress.createUnresolved("10.77.1.1", 41234),
            "ftvm-clone-disk",
            InetSocketAddress.createUnresolved("10.77.1.1", 41235));

    JoinOffer parsed = JoinOffer.parse(offer.toLine());

    assertThat(offer.toLine())
        .isEqualTo("nbd=10.77.1.1:41234 export=ftvm-clone-disk migration=10.77.1.1:41235");
    assertThat(parsed.nbd().getPort()).isEqualTo(41234);
    assertThat(parsed.migration().getHostString()).isEqualTo("10.77.1.1");
    assertThat(parsed.nbdExportName()).isEqualTo("ftvm-clone-disk");
  }

  @Test
  void unknownFieldsOfANewerNodeAreIgnored() {
    assertThat(JoinOffer.parse("nbd=h:1 export=d migration=h:2 rdma=yes").migration().getPort())
        .isEqualTo(2);
  }

  @Test
  void anIncompleteOrBrokenOfferIsRefusedWithTheText() {
    assertThatThrownBy(() -> JoinOffer.parse("nbd=h:1 export=d"))
        .hasMessageContaining("lacks one of");
    assertThatThrownBy(() -> JoinOffer.parse("nbd=h export=d migration=h:2"))
        .hasMessageContaining("bad address 'h'");
    assertThatThrownBy(() -> JoinOffer.parse("nbd=h:x export=d migration=h:2"))
        .hasMessageContaining("bad address 'h:x'");
  }
}
