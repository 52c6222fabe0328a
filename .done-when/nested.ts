// @ts-nocheck
const kit = require('/work/main');
const { App, NestedStack } = require('aws-cdk-lib'); const ec2 = require('aws-cdk-lib/aws-ec2');
const app = new App(); const s = new kit.DatabaseStack(app, 'SpendSense-Database-prod', { profile: kit.getProfile('prod') });
const vpc = s.node.findAll().find((c) => c instanceof ec2.Vpc); const n = new NestedStack(s, 'Extras');
const sg = new ec2.SecurityGroup(n, 'Open', { vpc }); sg.addIngressRule(ec2.Peer.ipv4('198.51.100.0/24'), ec2.Port.tcp(5432));
kit.applyCompliance(app); app.synth();
