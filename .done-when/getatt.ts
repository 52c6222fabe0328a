// @ts-nocheck
const kit = require('/work/main');
const { App } = require('aws-cdk-lib'); const ec2 = require('aws-cdk-lib/aws-ec2');
const app = new App(); const s = new kit.DatabaseStack(app, 'SpendSense-Database-prod', { profile: kit.getProfile('prod') });
const sg = s.node.findAll().find((c) => c instanceof ec2.SecurityGroup && c.node.id === 'DatabaseSecurityGroup');
const vpc = s.node.findAll().find((c) => c instanceof ec2.Vpc);
sg.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(5432), 'from the VPC');
kit.applyCompliance(app); app.synth();
