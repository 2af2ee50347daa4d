import { describe, expect, it } from 'vitest';
import { chooseImage, describePeers, kafkaEnvironment, officialImages, standInImages } from './container-peers.ts';

// Not the pins: the images follow whatever versions a run asks for (KAFKA_VERSION=4.1.1).
const versions = { kafka: '4.1.1', moto: '5.2.5' };

describe('the container peers', () => {
  it('name the official images and the stand-ins by the versions asked for', () => {
    expect(officialImages(versions)).toEqual({ kafka: `apache/kafka:${versions.kafka}`, moto: `motoserver/moto:${versions.moto}` });
    expect(standInImages(versions)).toEqual({ kafka: `local/kafka:${versions.kafka}`, moto: `local/moto:${versions.moto}` });
  });

  it('run the official image when the engine has it, else the stand-in it has, else the official one pulled', () => {
    const official = officialImages(versions).kafka;
    const standIn = standInImages(versions).kafka;
    expect(chooseImage(official, standIn, new Set([official, standIn]))).toBe(official);
    expect(chooseImage(official, standIn, new Set([standIn]))).toBe(standIn);
    expect(chooseImage(official, standIn, new Set([standInImages({ ...versions, kafka: '3.9.1' }).kafka]))).toBe(official);
  });

  it('configure a broker that listens and advertises on the port the host reaches', () => {
    const environment = kafkaEnvironment(24_092);
    expect(environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:24092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:24092',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
    // Every name is one the official image and the stand-in turn into a property.
    for (const name of Object.keys(environment)) expect(name).toMatch(/^KAFKA_[A-Z_]+$/);
  });

  it('keep the controller apart from a client port of 9093', () => {
    expect(kafkaEnvironment(9093)).toMatchObject({ KAFKA_LISTENERS: 'PLAINTEXT://:9093,CONTROLLER://:9094', KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094' });
  });

  it('say in one line which images ran', () => {
    expect(describePeers(standInImages({ kafka: '3.9.1', moto: '5.2.5' }))).toBe('integration peers: containers local/kafka:3.9.1, local/moto:5.2.5');
  });
});
