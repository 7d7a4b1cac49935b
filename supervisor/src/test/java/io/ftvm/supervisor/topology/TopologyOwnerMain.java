package io.ftvm.supervisor.topology;

import java.util.concurrent.CountDownLatch;

/**
 * Creates a topology, then either holds it until killed (a stand-in for an owner that crashes) or,
 * with a second argument {@code exit}, exits normally without destroying it (an owner that
 * forgets).
 */
public final class TopologyOwnerMain {
  private TopologyOwnerMain() {}

  public static void main(String[] args) throws InterruptedException {
    PairTopology.create(TopologySpec.defaults(args[0]));
    System.out.println("ready");
    System.out.flush();
    if (args.length > 1 && args[1].equals("exit")) {
      System.exit(0);
    }
    new CountDownLatch(1).await();
  }
}
